namespace SegAlign.Platform;

/// <summary>
/// An exclusive lock on a file. .NET takes FileShare.None as an advisory flock on Unix, which the kernel drops when
/// the owner dies, so a lock left by a killed process is free for the next one — no stale-lock bookkeeping. The lock
/// file itself stays (deleting a locked file races).
/// </summary>
public static class FileLock
{
    /// <summary>
    /// The open lock file (dispose it to release), or null when another live process holds it. A file system that
    /// refuses the lock (read-only, full, no permission) is bad input, not "held": waiting for it would hang forever.
    /// </summary>
    public static FileStream? TryAcquire(string path)
    {
        FileStream? stream = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush();
            return stream;
        }
        catch (IOException e) when (IsHeldByAnother(e))
        {
            stream?.Dispose();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            throw new InputException(path, $"cannot be locked: the file system refuses it ({e.Message.TrimEnd('.')})",
                "make the folder writable and free some space, or choose another output or results folder");
        }
    }

    /// <summary>
    /// Runs a short read-modify-write of <paramref name="file"/> (a cache merged by several commands, such as latency.csv)
    /// while holding the lock file beside it, so two writers never lose each other's rows. Waits for another holder
    /// (these sections last milliseconds), saying once what it waits for; a refusing file system is an error, as above.
    /// </summary>
    public static T Exclusive<T>(string file, Func<T> update, Action<string>? log = null)
    {
        string lockPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "." + Path.GetFileName(file) + ".lock");
        bool told = false;
        while (true)
        {
            if (TryAcquire(lockPath) is { } held)
                using (held)
                    return update();
            if (!told) log?.Invoke($"waiting for {file}: another process is updating it (lock {lockPath})");
            told = true;
            Thread.Sleep(50);
        }
    }

    public static void Exclusive(string file, Action update, Action<string>? log = null) =>
        Exclusive(file, () => { update(); return 0; }, log);

    /// <summary>
    /// True for the one failure that means "another process has it": the lock conflict (EWOULDBLOCK on Linux and macOS,
    /// a sharing or lock violation on Windows). Every other error is the file system refusing.
    /// </summary>
    public static bool IsHeldByAnother(IOException e) => e.HResult switch
    {
        11 when OperatingSystem.IsLinux() => true,
        35 when OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() => true,
        unchecked((int)0x80070020) or unchecked((int)0x80070021) => OperatingSystem.IsWindows(),
        _ => false,
    };
}
