namespace Fathom.Http;

/// <summary>
/// How one host's API words an error it did not expect to word itself (an unknown route, a method not allowed, a body
/// too large): MLflow's <c>{"error_code", "message"}</c> for the tracking server, FastAPI's <c>{"detail"}</c> for the
/// model server. Registered once per host; <see cref="ErrorBodies"/> and <see cref="CanonicalRoutes"/> use it.
/// </summary>
internal sealed class ErrorShape(Func<HttpContext, int, string, Task> write)
{
    public Task WriteAsync(HttpContext context, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        return write(context, status, message);
    }
}
