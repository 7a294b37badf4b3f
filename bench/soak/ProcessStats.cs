namespace Chaos.Soak;

/// <summary>Open descriptors, threads and resident memory of a process, from /proc (Linux).</summary>
internal readonly record struct ProcessStats(int Descriptors, int Threads, long ResidentBytes)
{
    public static ProcessStats Of(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        long Field(string name) => long.Parse(status.First(line => line.StartsWith(name, StringComparison.Ordinal))
            .Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        return new ProcessStats(Directory.GetFiles($"/proc/{pid}/fd").Length, (int)Field("Threads:"), Field("VmRSS:") * 1024);
    }

    /// <summary>Open descriptors by kind (socket, pipe, anon_inode:[eventpoll], a file path), to name a difference.</summary>
    public static Dictionary<string, int> DescriptorKinds(int pid) => Directory.GetFiles($"/proc/{pid}/fd")
        .Select(fd => new FileInfo(fd).LinkTarget ?? "?")
        .GroupBy(target => target.Contains(':', StringComparison.Ordinal) ? target[..target.IndexOf(':', StringComparison.Ordinal)] : target)
        .ToDictionary(group => group.Key, group => group.Count());

    public override string ToString() => $"{Descriptors} fds, {Threads} threads, {ResidentBytes / 1048576.0:F1} MiB resident";
}
