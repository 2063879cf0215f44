namespace MeshDns.Sources.Files;

/// <summary>
/// A file-system failure in plain words. The NativeAOT build keeps no resource strings, so the runtime's own
/// messages are keys such as UnauthorizedAccess_IODenied_Path: they are never shown.
/// </summary>
internal static class IoErrors
{
    public static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        PathTooLongException => "path too long",
        IOException { HResult: var errno } when Errno(errno) is string text => text,
        IOException => "input/output error",
        _ => $"unexpected {e.GetType().Name}",
    };

    /// <summary>On Unix the runtime puts the errno into HResult for I/O errors it does not map to a type.</summary>
    public static string? Errno(int code) => code switch
    {
        5 => "input/output error",
        13 => "permission denied",
        20 => "a path component is not a directory",
        21 => "is a directory",
        24 => "too many open files",
        28 => "no space left on device",
        40 => "too many levels of symbolic links",
        _ => null,
    };
}
