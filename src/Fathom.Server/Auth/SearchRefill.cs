using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// Narrows a search answer to what the caller may read, then refills it from the pages after it up to max_results, as
/// MLflow basic-auth's filter_search_experiments and filter_search_registered_models do: a caller never gets a short
/// page while readable items remain. The next-page token moves past every item looked at, readable or not, and is
/// left out once the last page has been looked at whole (MLflow's hooks hand out one more token there, whose page is empty).
/// </summary>
internal static class SearchRefill
{
    /// <summary>The store's page at <paramref name="pageToken"/>, as MLflow JSON items, and the token after it.</summary>
    public delegate Task<(IReadOnlyList<JsonNode> Items, string? NextPageToken)> PageReader(string pageToken, CancellationToken cancellationToken);

    public static async Task RefillAsync(
        JsonObject response, string itemsField, long maxResults, Func<JsonNode, bool> canRead, PageReader readPage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(canRead);
        ArgumentNullException.ThrowIfNull(readPage);
        var readable = new JsonArray();
        foreach (var item in (response[itemsField] as JsonArray ?? []).OfType<JsonNode>().Where(canRead).ToList())
        {
            readable.Add(item.DeepClone());
        }

        var token = response["next_page_token"]?.GetValue<string>();
        while (readable.Count < maxResults && !string.IsNullOrEmpty(token))
        {
            var (items, next) = await readPage(token, cancellationToken);
            var looked = items.Take((int)Math.Min(maxResults - readable.Count, int.MaxValue)).ToList();
            foreach (var item in looked.Where(canRead))
            {
                readable.Add(item);
            }

            token = looked.Count == 0 || (looked.Count == items.Count && next is null)
                ? null
                : PageTokens.Encode(PageTokens.Decode(token) + looked.Count);
        }

        response.Remove(itemsField);
        response.Remove("next_page_token");
        if (readable.Count > 0)
        {
            response[itemsField] = readable;
        }

        if (!string.IsNullOrEmpty(token))
        {
            response["next_page_token"] = token;
        }
    }

    /// <summary>An entity as the JSON node its MLflow writer produces, so refilled items look exactly like the first page's.</summary>
    public static JsonNode Node<T>(T entity, Action<Utf8JsonWriter, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Mlflow.MlflowJson.WriterOptions))
        {
            write(writer, entity);
        }

        return JsonNode.Parse(buffer.WrittenSpan)!;
    }
}
