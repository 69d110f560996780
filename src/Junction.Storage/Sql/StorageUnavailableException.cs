namespace Junction.Storage.Sql;

/// <summary>
/// The database can take no writes: its file is gone (deleted while the node ran) or it refuses them. Nothing of the
/// write was kept; the faces answer 503 and readiness says why.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
