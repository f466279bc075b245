using System.Text.Json;

namespace Fathom.Serving;

/// <summary>
/// Reads and validates a predict body, collecting every bad field with its location (as FastAPI/pydantic
/// report them) instead of stopping at the first, so a client can fix its request in one go.
/// </summary>
internal static class PredictRequestReader
{
    public static (List<ReviewInput> Reviews, List<ValidationDetail> Errors) Read(JsonElement root, ServingOptions options)
    {
        var reviews = new List<ReviewInput>();
        var errors = new List<ValidationDetail>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(["body"], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"));
            return (reviews, errors);
        }

        if (!root.TryGetProperty("reviews", out var list))
        {
            errors.Add(new(["body", "reviews"], "Field required", "missing"));
            return (reviews, errors);
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(["body", "reviews"], "Input should be a valid list", "list_type"));
            return (reviews, errors);
        }

        var count = list.GetArrayLength();
        if (count > options.MaxReviewsPerRequest)
        {
            errors.Add(new(["body", "reviews"], $"List should have at most {options.MaxReviewsPerRequest} items after validation, not {count}; split the request.", "too_long"));
            return (reviews, errors);
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var review = ReadReview(item, index, options, errors);
            if (review is not null)
            {
                reviews.Add(review);
            }

            index++;
        }

        return (reviews, errors);
    }

    private static ReviewInput? ReadReview(JsonElement item, int index, ServingOptions options, List<ValidationDetail> errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(["body", "reviews", index], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"));
            return null;
        }

        long? id = null;
        if (!item.TryGetProperty("id", out var idElement))
        {
            errors.Add(new(["body", "reviews", index, "id"], "Field required", "missing"));
        }
        else if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var number))
        {
            id = number;
        }
        else if (idElement.ValueKind == JsonValueKind.String && long.TryParse(idElement.GetString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            id = parsed; // pydantic's lax mode accepts a numeric string for an int field
        }
        else
        {
            errors.Add(new(["body", "reviews", index, "id"], "Input should be a valid integer", "int_type"));
        }

        string? text = null;
        if (!item.TryGetProperty("text", out var textElement))
        {
            errors.Add(new(["body", "reviews", index, "text"], "Field required", "missing"));
        }
        else if (textElement.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(["body", "reviews", index, "text"], "Input should be a valid string", "string_type"));
        }
        else
        {
            text = textElement.GetString()!;
            if (text.Length > options.MaxReviewLength)
            {
                errors.Add(new(["body", "reviews", index, "text"],
                    $"String should have at most {options.MaxReviewLength} characters (this review has {text.Length}); shorten it or raise the server's --max-review-length.",
                    "string_too_long"));
                text = null;
            }
        }

        return id is not null && text is not null ? new ReviewInput(id.Value, text) : null;
    }
}
