using Microsoft.AspNetCore.Http.Features;

namespace Fathom.Mlflow;

/// <summary>
/// The one place a request's parameters are read: whichever asks first (the permission check, or the handler when
/// auth is off) reads them, and everyone after gets the same object.
/// </summary>
internal static class MlflowRequests
{
    private static readonly object Key = new();

    public static async ValueTask<MlflowRequest> GetAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(Key, out var known) && known is MlflowRequest request)
        {
            return request;
        }

        var route = context.GetEndpoint()?.Metadata.GetMetadata<MlflowRoute>()
            ?? throw new InvalidOperationException($"{context.Request.Path} is not an MLflow route; it has no {nameof(MlflowRoute)} metadata.");
        if (route.Unbounded && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Whoever asks first (the permission check, or the handler) does so before anything reads the body.
            limit.MaxRequestBodySize = null;
        }

        request = await MlflowRequest.ReadAsync(context, route, cancellationToken);
        context.Response.RegisterForDispose(request);
        context.Items[Key] = request;
        return request;
    }
}
