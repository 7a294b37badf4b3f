using Microsoft.AspNetCore.Http;

namespace Chaos.Proxy.ControlApi;

/// <summary>Writes responses with Toxiproxy's status codes and headers.</summary>
internal static class ApiResponses
{
    public const string Json = "application/json";

    public static Task JsonAsync(HttpContext context, byte[] body, int status = StatusCodes.Status200OK) =>
        WriteAsync(context, status, Json, body);

    public static Task NoContentAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Toxiproxy's <c>apiError</c> goes through Go's <c>http.Error</c>: a JSON body and a newline, served as
    /// <c>text/plain; charset=utf-8</c> with <c>X-Content-Type-Options: nosniff</c>.
    /// </summary>
    public static Task ErrorAsync(HttpContext context, ApiException error) =>
        PlainAsync(context, error.Status, [.. ToxiproxyJson.Error(error), (byte)'\n']);

    /// <summary>Go's <c>http.Error</c>: a text body and a newline.</summary>
    public static Task PlainAsync(HttpContext context, int status, string text) =>
        PlainAsync(context, status, System.Text.Encoding.UTF8.GetBytes(text + "\n"));

    private static Task PlainAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return WriteAsync(context, status, "text/plain; charset=utf-8", body);
    }

    private static Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
