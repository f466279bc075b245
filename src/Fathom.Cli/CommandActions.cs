using System.CommandLine;
using Fathom.Data;
using Fathom.Diagnostics;
using Fathom.Tracking;

namespace Fathom.Cli;

/// <summary>Runs a command's body and turns every expected failure into one clear line and a named exit code.</summary>
internal static class CommandActions
{
    public static Command WithAction(this Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
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
        });
        return command;
    }
}
