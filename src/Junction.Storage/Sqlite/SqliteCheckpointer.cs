using Microsoft.Data.Sqlite;

namespace Junction.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log into the database file on a connection and a thread of its own, so that the writer's
/// commits do not do it. Inside the commit that crossed SQLite's threshold, the checkpoint (reading each page from the
/// log, writing it to the database, then an fsync) ran on the one writer every other write waits for: under delivery
/// load the writer's commits took ~20 µs of its CPU per event with the checkpoints in them, ~8 µs without. Here the writer asks after each commit
/// (<see cref="Notify"/>) and a checkpoint runs at most every <see cref="Interval"/>, copying each page changed
/// meanwhile once however often it was written. PASSIVE: it never waits for readers or the writer. The writer keeps a
/// checkpoint of its own at a higher threshold as the backstop (a log this one could not keep up with, or one it failed on).
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>The shortest time between two checkpoints.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly string _connectionString;
    private readonly SemaphoreSlim _due = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private long _checkpoints;
    private volatile bool _disposed;

    /// <summary>Checkpoints <paramref name="connectionString"/>'s database; its thread starts at the first <see cref="Notify"/>.</summary>
    public SqliteCheckpointer(string connectionString) => _connectionString = connectionString;

    /// <summary>Checkpoints run so far; for tests.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>The log grew: checkpoint soon (one request stands for any number).</summary>
    public void Notify()
    {
        if (_disposed)
        {
            // A commit that raced the shutdown: nothing is started or signalled any more.
            return;
        }

        if (_thread is null)
        {
            var thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpoint" };
            if (Interlocked.CompareExchange(ref _thread, thread, null) is null)
            {
                thread.Start();
            }
        }

        try
        {
            if (_due.CurrentCount == 0)
            {
                _due.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another commit asked first.
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check above and now.
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(10));
        _stop.Dispose();
        _due.Dispose();
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                _due.Wait(_stop.Token);
                try
                {
                    if (connection is null)
                    {
                        connection = new SqliteConnection(_connectionString);
                        connection.Open();
                    }

                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    command.ExecuteNonQuery();
                    Interlocked.Increment(ref _checkpoints);
                }
                catch (SqliteException)
                {
                    // Busy with another process's checkpoint, or an I/O error: the next commit asks again, and the
                    // writer's own checkpoint is the backstop. A connection that failed is opened anew.
                    connection?.Dispose();
                    connection = null;
                }

                if (_stop.Token.WaitHandle.WaitOne(Interval))
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed (a thread started by a commit that raced the shutdown finds everything disposed).
        }
        finally
        {
            connection?.Dispose();
        }
    }
}
