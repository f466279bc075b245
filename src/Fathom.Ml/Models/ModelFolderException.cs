namespace Fathom.Models;

/// <summary>
/// A model folder that cannot be loaded: missing, corrupt, or a manifest field absent or invalid. The message
/// names the file and, where there is one, the manifest field (dotted, e.g. <c>flavors.mlnet.model_file</c>).
/// </summary>
internal sealed class ModelFolderException : Exception
{
    public ModelFolderException()
    {
    }

    public ModelFolderException(string message)
        : base(message)
    {
    }

    public ModelFolderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelFolderException(string filePath, string? field, string problem, Exception? innerException = null)
        : base(field is null ? $"{filePath}: {problem}" : $"{filePath}: field '{field}' {problem}", innerException)
    {
        FilePath = filePath;
        Field = field;
    }

    /// <summary>The file at fault.</summary>
    public string? FilePath { get; }

    /// <summary>The manifest field at fault, dotted, or null when the whole file is.</summary>
    public string? Field { get; }
}
