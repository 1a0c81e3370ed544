namespace ActorChat.Tests.Support;

/// <summary>Actor-system configuration for specs of persistent actors: memory journal and snapshot store, the real serializer.</summary>
public static class PersistenceSpecConfig
{
    public const string Hocon = """
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.actor {
          serializers.actorchat-rooms = "ActorChat.Server.Rooms.RoomEventSerializer, ActorChat.Server"
          serialization-bindings { "ActorChat.Server.Rooms.IRoomEvent, ActorChat.Server" = actorchat-rooms }
          serializers.actorchat-room-rules = "ActorChat.Server.Rooms.RoomRulesSerializer, ActorChat.Server"
          serialization-bindings { "ActorChat.Server.Rooms.IRoomRulesEvent, ActorChat.Server" = actorchat-room-rules }
          serialize-messages = off
        }
        """;
}
