using BenchmarkDotNet.Running;

namespace Fathom.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Fathom.Bench -- &lt;benchmark&gt;</c>: BenchmarkDotNet suites by
/// class name (e.g. <c>--filter *SdkLogging*</c>), or the end-to-end measurements listed in <c>bench/README.md</c>.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && EndToEnd.Commands.TryGetValue(args[0], out var command))
        {
            return await command(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
