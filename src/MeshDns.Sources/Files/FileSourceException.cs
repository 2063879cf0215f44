namespace MeshDns.Sources.Files;

/// <summary>A path given to <see cref="FileSource"/> cannot be used at start; the message is one line for the user.</summary>
public sealed class FileSourceException(string message, Exception? innerException = null) : Exception(message, innerException);
