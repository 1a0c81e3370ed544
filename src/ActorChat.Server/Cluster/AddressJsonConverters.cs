using System.Net;
using Newtonsoft.Json;

namespace ActorChat.Server.Cluster;

/// <summary>
/// Messages between nodes go through Akka's JSON serializer, which cannot rebuild an <see cref="IPAddress"/> (no
/// constructor it can use): the user registry's registrations carry the client's address, which bans match.
/// Written as its text form.
/// </summary>
public sealed class IPAddressJsonConverter : JsonConverter<IPAddress>
{
    public override void WriteJson(JsonWriter writer, IPAddress? value, JsonSerializer serializer) => writer.WriteValue(value?.ToString());

    public override IPAddress? ReadJson(JsonReader reader, Type objectType, IPAddress? existingValue, bool hasExistingValue, JsonSerializer serializer) =>
        reader.Value is string text ? IPAddress.Parse(text) : null;
}

/// <summary>A ban's network (in the registry's evictions) as its CIDR text.</summary>
public sealed class IPNetworkJsonConverter : JsonConverter<IPNetwork?>
{
    public override void WriteJson(JsonWriter writer, IPNetwork? value, JsonSerializer serializer) => writer.WriteValue(value?.ToString());

    public override IPNetwork? ReadJson(JsonReader reader, Type objectType, IPNetwork? existingValue, bool hasExistingValue, JsonSerializer serializer) =>
        reader.Value is string text ? IPNetwork.Parse(text) : null;
}

/// <summary>
/// A password on its way from a session to the account book on another node (a cluster singleton): Akka's JSON
/// serializer sees no property in a <see cref="Accounts.Secret"/> and would send nothing. The links between nodes
/// carry it as the session received it; docs/architecture.md says to keep them on a private network.
/// </summary>
public sealed class SecretJsonConverter : JsonConverter<Accounts.Secret>
{
    public override void WriteJson(JsonWriter writer, Accounts.Secret? value, JsonSerializer serializer) => writer.WriteValue(value?.Reveal());

    public override Accounts.Secret? ReadJson(JsonReader reader, Type objectType, Accounts.Secret? existingValue, bool hasExistingValue, JsonSerializer serializer) =>
        reader.Value is string text ? new Accounts.Secret(text) : null;
}
