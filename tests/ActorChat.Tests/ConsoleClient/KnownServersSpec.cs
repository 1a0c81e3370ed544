using ActorChat.Client.Security;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

public sealed class KnownServersSpec : IDisposable
{
    private const string First = "aa00000000000000000000000000000000000000000000000000000000000000";
    private const string Second = "bb00000000000000000000000000000000000000000000000000000000000000";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "actorchat-known-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_first_fingerprint_of_a_server_is_pinned_and_then_known()
    {
        var known = KnownServers.In(_directory);
        Assert.Equal(PinVerdict.FirstUse, known.Check("127.0.0.1:12346", First, acceptNew: false));
        Assert.Equal(PinVerdict.Known, KnownServers.In(_directory).Check("127.0.0.1:12346", First, acceptNew: false));
        Assert.Equal(First, known.PinnedFor("127.0.0.1:12346"));
    }

    [Fact]
    public void Another_fingerprint_is_refused_and_the_pin_stays()
    {
        var known = KnownServers.In(_directory);
        known.Check("127.0.0.1:12346", First, acceptNew: false);
        Assert.Equal(PinVerdict.Changed, known.Check("127.0.0.1:12346", Second, acceptNew: false));
        Assert.Equal(First, known.PinnedFor("127.0.0.1:12346"));
    }

    [Fact]
    public void Another_fingerprint_accepted_on_purpose_replaces_the_pin()
    {
        var known = KnownServers.In(_directory);
        known.Check("127.0.0.1:12346", First, acceptNew: false);
        Assert.Equal(PinVerdict.Replaced, known.Check("127.0.0.1:12346", Second, acceptNew: true));
        Assert.Equal(PinVerdict.Known, known.Check("127.0.0.1:12346", Second, acceptNew: false));
    }

    [Fact]
    public void Each_server_is_pinned_by_host_and_port()
    {
        var known = KnownServers.In(_directory);
        known.Check("127.0.0.1:12346", First, acceptNew: false);
        Assert.Equal(PinVerdict.FirstUse, known.Check("127.0.0.1:22346", Second, acceptNew: false));
        Assert.Equal(PinVerdict.Known, known.Check("127.0.0.1:12346", First, acceptNew: false));
    }

    [Fact]
    public void A_fingerprint_is_shown_as_the_server_log_shows_it() =>
        Assert.Equal("AA:00:0F", KnownServers.Display("aa000f"));
}
