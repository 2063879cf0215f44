namespace MeshDns.Sources.Files;

/// <summary>
/// A path given to <see cref="FileSource"/> cannot be used at start (it does not exist, or cannot be read).
/// The message is one line meant for the user, e.g. <c>--from-file /x: no such file or directory</c>.
/// </summary>
public sealed class FileSourceException : Exception
{
    public FileSourceException()
    {
    }

    public FileSourceException(string message)
        : base(message)
    {
    }

    public FileSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
