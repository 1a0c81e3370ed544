using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorChat.Server.Status;

/// <summary>What <c>GET /api/status</c> answers: a snapshot of the server for people and monitoring.</summary>
public sealed record StatusReport(
    string Server,
    double UptimeSeconds,
    ConnectionCounts Connections,
    IReadOnlyList<RoomStatus> Rooms,
    long MessagesSinceStart)
{
    /// <summary>The SHA-256 fingerprint of the TLS/HTTPS certificate (AB:CD:… as browsers show it), or null without one.</summary>
    public string? TlsFingerprint { get; init; }

    /// <summary>In cluster mode, every member of the cluster with its load; absent on a single node.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<NodeStatus>? Nodes { get; init; }
}

/// <summary>Open client connections by transport.</summary>
public sealed record ConnectionCounts(int Tcp, int Websocket)
{
    public int Tls { get; init; }
}

public sealed record RoomStatus(string Name, int Members);

/// <summary>
/// One member of the cluster: its Akka address, its membership state (Up, Joining, Leaving, Exiting, Down…), whether
/// this node can reach it, and the room entities and client connections it holds (null when it did not answer).
/// </summary>
public sealed record NodeStatus(string Address, string State, bool Reachable, bool Self, int? Rooms, long? Connections)
{
    /// <summary>Batches of room frames the node's fan-out relay received from rooms on other nodes since it started.</summary>
    public long? RelayedBatches { get; init; }

    /// <summary>The host, plain TCP port and web port chat clients reach the node at; null until this node has heard them.</summary>
    public string? Host { get; init; }

    public int? Port { get; init; }

    public int? Web { get; init; }
}

/// <summary>The JSON of the status endpoint, source-generated like the wire protocol's.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
