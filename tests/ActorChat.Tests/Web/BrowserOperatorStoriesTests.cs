using ActorChat.Messages;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>
/// What the page shows of operators and of conversations out of view: a room an operator drops, a direct message to
/// a page looking elsewhere, the link to the dashboard (operators only) and the dashboard's cluster nodes (from its pushed snapshot).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserOperatorStoriesTests(ChromiumFixture chromium)
{
    private const string Password = "long-enough-secret";

    /// <summary>Visibility and notifications for the test to drive: window.__setHidden(bool) and window.__notifications.</summary>
    private const string StubVisibilityAndNotifications = """
        (() => {
          window.__hidden = false;
          window.__notifications = [];
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
          window.Notification = class { constructor(title, options) { window.__notifications.push(title + ': ' + (options && options.body)); } };
          window.Notification.permission = 'granted';
          window.Notification.requestPermission = () => Promise.resolve('granted');
          window.__setHidden = (hidden) => { window.__hidden = hidden; document.dispatchEvent(new Event('visibilitychange')); };
        })();
        """;

    private static async Task<TestClient> OperatorOverTcpAsync(Server.Hosting.RunningChatServer server)
    {
        var root = await TestClient.ConnectAsync(server);
        await root.SendAsync(new RegisterRequest("root", Password));
        Assert.True((await root.ExpectAsync<RegisteredFrame>()).Operator == true);
        return root;
    }

    [Fact(Timeout = 120_000)]
    public async Task A_page_in_a_room_an_operator_drops_shows_who_dropped_it_and_why_and_loses_the_room()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.JoinAsync("spam");
        await Expect(bob.Title).ToHaveTextAsync("#spam");
        await using var root = await OperatorOverTcpAsync(server);

        await root.SendAsync(new DropRequest("spam", "advertising") { Ref = "drop" });
        await root.ExpectAsync<DoneFrame>(d => d.Ref == "drop");

        await Expect(bob.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "#spam was dropped by root: advertising" })).ToHaveCountAsync(1);
        await Expect(bob.Page.Locator("#notice")).ToHaveTextAsync("#spam was dropped by root: advertising");
        await Expect(bob.Conversation("spam")).ToHaveCountAsync(0);
        await Expect(bob.Title).ToHaveTextAsync("#general");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_direct_message_to_a_page_in_another_conversation_marks_it_unread_and_a_hidden_page_notifies()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob", prepare: page => page.AddInitScriptAsync(StubVisibilityAndNotifications));
        await using var alice = await TestClient.ConnectAsync(server, "alice");

        await alice.SendAsync(new DirectMessageRequest("bob", "psst") { Ref = "1" });
        await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "1");
        await Expect(bob.Conversation("@alice").Locator(".badge")).ToHaveTextAsync("1");
        await Expect(bob.Title).ToHaveTextAsync("#general"); // the page stays where it was
        Assert.Equal(0, await bob.Page.EvaluateAsync<int>("() => window.__notifications.length")); // in view: no notification

        await bob.Page.EvaluateAsync("() => window.__setHidden(true)");
        await alice.SendAsync(new DirectMessageRequest("bob", "are you there?") { Ref = "2" });
        await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "2");
        await bob.Page.WaitForFunctionAsync("() => window.__notifications.length === 1");
        Assert.Equal("alice in a direct message: are you there?", await bob.Page.EvaluateAsync<string>("() => window.__notifications[0]"));
        await Expect(bob.Page).ToHaveTitleAsync("(1) ActorChat");
        await Expect(bob.Conversation("@alice").Locator(".badge")).ToHaveTextAsync("2");
    }

    [Fact(Timeout = 120_000)]
    public async Task The_chat_page_links_to_the_dashboard_for_an_operator_only()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await using var guest = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "carol");
        await using var root = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "root");

        var link = root.Page.Locator("#admin-link");
        await Expect(link).ToBeVisibleAsync();
        await Expect(link).ToHaveAttributeAsync("href", "/admin");
        await Expect(alice.Page.Locator("#admin-link")).ToBeHiddenAsync();
        await Expect(guest.Page.Locator("#admin-link")).ToBeHiddenAsync();

        await link.ClickAsync();
        await Expect(root.Page.Locator("#refresh-state")).ToHaveAttributeAsync("data-state", "live");
        await Expect(root.Page.Locator("#cluster")).ToBeHiddenAsync(); // a single node has no cluster to show
    }

    [Fact(Timeout = 120_000)]
    public async Task In_cluster_mode_the_dashboard_lists_the_nodes_of_its_snapshot()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "root");
        // The server's snapshots as a node of a two-node cluster pushes them (one member unreachable).
        const string nodes = """
            [{"address":"akka.tcp://actorchat@10.0.0.1:4053","state":"Up","reachable":true,"self":true,"rooms":3,"connections":12},
             {"address":"akka.tcp://actorchat@10.0.0.2:4053","state":"Up","reachable":false,"self":false,"rooms":null,"connections":null}]
            """;
        await root.Page.RouteWebSocketAsync("**/api/admin/live", page =>
        {
            var toServer = page.ConnectToServer();
            toServer.OnMessage(frame =>
            {
                var snapshot = System.Text.Json.Nodes.JsonNode.Parse(frame.Text!)!;
                snapshot["nodes"] = System.Text.Json.Nodes.JsonNode.Parse(nodes);
                page.Send(snapshot.ToJsonString());
            });
        });

        await root.Page.GotoAsync(new Uri(server.WebUri(), "/admin").ToString());

        await Expect(root.Page.Locator("#cluster")).ToBeVisibleAsync();
        await Expect(root.Page.Locator("#node-count")).ToHaveTextAsync("2");
        var self = root.Page.Locator("#nodes tr[data-address='akka.tcp://actorchat@10.0.0.1:4053']");
        await Expect(self).ToContainTextAsync("(this node)");
        await Expect(self).ToContainTextAsync("12");
        var other = root.Page.Locator("#nodes tr[data-address='akka.tcp://actorchat@10.0.0.2:4053']");
        await Expect(other).ToHaveClassAsync("unreachable");
        await Expect(other).ToContainTextAsync("–");
    }
}
