using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Files;

/// <summary>The log lines of <see cref="FileSource"/> (event ids 1100-1199).</summary>
internal static partial class FileSourceLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "Loaded {EntryCount} ServiceEntries from {FileCount} files ({ChangedFileCount} read anew, {InvalidCount} invalid entries skipped, {OtherCount} other documents ignored, {FailedFileCount} files with errors)")]
    public static partial void Loaded(ILogger logger, int entryCount, int fileCount, int changedFileCount, int invalidCount, int otherCount, int failedFileCount);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void EntryWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "{Error}; {Kept}")]
    public static partial void FileError(ILogger logger, string error, string kept);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "{File}: cannot read: {Reason}; {Kept}")]
    public static partial void ReadError(ILogger logger, string file, string reason, string kept);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "{Id} is defined in {EarlierFile} and in {File}; the one in {File} is used")]
    public static partial void DefinedTwice(ILogger logger, string id, string earlierFile, string file);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "{Directory}: cannot list: {Reason}; its files keep their last entries")]
    public static partial void ListError(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Watching {Directory} failed: {Reason}; reloading everything")]
    public static partial void WatchError(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Error, Message = "{What} failed")]
    public static partial void Failed(ILogger logger, string what, Exception exception);

    /// <summary>Before the first read: a start-up mark for tests and for operators at debug level.</summary>
    [LoggerMessage(EventId = 1108, Level = LogLevel.Debug, Message = "Watching {Directory} for changes")]
    public static partial void Watching(ILogger logger, string directory);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Debug, Message = "Stopped during a reload: the files left were not read")]
    public static partial void ReloadStopped(ILogger logger);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Cannot watch {Directory}: {Reason}; changes there will not be seen until restart")]
    public static partial void CannotWatch(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "--from-file {Directory}: no *.yaml or *.yml files there; it serves nothing until some are added")]
    public static partial void EmptyDirectory(ILogger logger, string directory);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "{Directory} {What}")]
    public static partial void DirectoryChanged(ILogger logger, string directory, string what);
}
