using System.CommandLine;
using Fathom.Data;
using Fathom.Diagnostics;
using Fathom.Models;
using Fathom.Tracking;

namespace Fathom.Cli;

/// <summary>Runs a command's body and turns every expected failure into one clear line and a named exit code.</summary>
internal static class CommandActions
{
    public static Command WithAction(this Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            // System.CommandLine registers its SIGTERM/SIGINT handler only once the action hands back a task. A command
            // whose first steps complete synchronously (SQLite calls, starting a process) could otherwise start a job
            // before that, and a SIGTERM in that window killed the CLI with .NET's default exit (143), leaving the job
            // running and its run recorded as running. Yielding first returns the task before any work is done.
            await Task.Yield();
            StartupTrace.Mark("action");
            var context = new CliContext(parse);
            try
            {
                return await action(parse, context, cancellationToken);
            }
            catch (TrackingException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
            {
                context.Fail(e.Message);
                return ExitCodes.NotFound;
            }
            catch (TrackingException e)
            {
                context.Fail(e.Message);
                return e.Code is ErrorCode.InternalError ? ExitCodes.Failure : ExitCodes.InvalidInput;
            }
            catch (DataException e)
            {
                context.Fail(e.Message);
                return e.Kind switch
                {
                    DataErrorKind.NotFound => ExitCodes.NotFound,
                    DataErrorKind.InvalidInput => ExitCodes.InvalidInput,
                    _ => ExitCodes.Failure,
                };
            }
            catch (ModelFolderException e)
            {
                context.Fail($"{e.Message}. Give --model a folder saved by `fathom train` (MLmodel beside model.zip), a run id, or a models:/ URI.");
                return ExitCodes.InvalidInput;
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                // No answer at all: the server is down, the address wrong, or the network in between.
                context.Fail($"cannot reach the tracking server: {e.Message}. Is `fathom server` running there? Check --tracking-uri, FATHOM_TRACKING_URI and MLFLOW_TRACKING_URI.");
                return ExitCodes.Failure;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested && e.InnerException is TimeoutException)
            {
                context.Fail("the tracking server did not answer in time. Is it overloaded, or is --tracking-uri pointing at something else?");
                return ExitCodes.Failure;
            }
            catch (CliInputException e)
            {
                context.Fail(e.Message);
                return ExitCodes.InvalidInput;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                context.Fail(e.Message);
                return ExitCodes.NotFound;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or NotSupportedException)
            {
                context.Fail(e.Message);
                return ExitCodes.InvalidInput;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Fail("cancelled.");
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException or System.Net.Sockets.SocketException)
            {
                context.Fail(e.Message);
                return ExitCodes.Failure;
            }
            catch (Exception e) when (Environment.GetEnvironmentVariable("FATHOM_DEBUG") is not ("1" or "true"))
            {
                // A bug, not a user error: one line that says how to get the details, not a stack trace.
                context.Fail($"{e.Message} (an unexpected {e.GetType().Name}; run again with FATHOM_DEBUG=1 for the stack trace, and report it).");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
