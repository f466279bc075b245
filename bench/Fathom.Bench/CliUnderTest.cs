namespace Fathom.Bench;

/// <summary>The <c>fathom</c> a bench times: the program to start, the arguments before the command's own, and a description for the report.</summary>
internal sealed record CliUnderTest(string Program, string[] Prefix, string Description)
{
    /// <summary>Wall time of <c>fathom ARGS…</c> in <paramref name="workingDirectory"/>, start-up included.</summary>
    public Task<TimeSpan> TimeAsync(string workingDirectory, params string[] args) =>
        BenchSupport.TimeAsync(workingDirectory, Program, [.. Prefix, .. args]);
}
