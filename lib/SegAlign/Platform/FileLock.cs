namespace SegAlign.Platform;

/// <summary>
/// An exclusive lock on a file. .NET takes FileShare.None as an advisory flock on Unix, which the kernel drops when
/// the owner dies, so a lock left by a killed process is free for the next one — no stale-lock bookkeeping. The lock
/// file itself stays (deleting a locked file races).
/// </summary>
public static class FileLock
{
    /// <summary>The open lock file (dispose it to release), or null when another live process holds it.</summary>
    public static FileStream? TryAcquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush();
            return stream;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
