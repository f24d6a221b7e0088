using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workbooks.Engagement;

internal sealed class CreateWorkbookRequest
{
    public required string WorkspaceId { get; init; }
    public required string PostUrl { get; init; }
    public required string[] DataTypes { get; init; }
}

internal sealed class TaskStatusResponse
{
    public string? TaskId { get; init; }
    public string? Status { get; init; }
    public string? CompletedAt { get; init; }
    public TaskResultResponse? Result { get; init; }
    public JsonElement? Error { get; init; }
}

internal sealed class TaskResultResponse
{
    public JsonElement? WorkbookId { get; init; }
    public long? ItemsCollected { get; init; }
    public bool? Success { get; init; }
}

internal sealed class ErrorResponse
{
    public JsonElement? Detail { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CreateWorkbookRequest))]
[JsonSerializable(typeof(TaskStatusResponse))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class EngagementJsonContext : JsonSerializerContext;
