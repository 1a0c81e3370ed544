using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>The chat page in one browser context, driven the way a person would: keyboard and clicks.</summary>
internal sealed class ChatPage : IAsyncDisposable
{
    public static readonly ViewportSize Laptop = new() { Width = 1280, Height = 800 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private readonly IBrowserContext _context;

    private ChatPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            DialogOpened = true;
            _ = dialog.DismissAsync();
        };
    }

    public IPage Page { get; }

    /// <summary>True once the page opened an alert, confirm or prompt (it never should).</summary>
    public bool DialogOpened { get; private set; }

    public ILocator Status => Page.Locator("#status");

    public ILocator Messages => Page.Locator("#messages .line-message");

    public ILocator SystemLines => Page.Locator("#messages .line-system");

    public ILocator Member(string user) => Page.Locator($"#members [data-user='{user}']");

    public ILocator ChartRow(string user) => Page.Locator($"#chart .chart-row[data-user='{user}']");

    public ILocator Title => Page.Locator("#conversation-title");

    /// <summary>The button of a conversation in the list: a room by its lower-case name, a direct chat by "@name".</summary>
    public ILocator Conversation(string key) => Page.Locator($"#conversations button[data-key='{key}']");

    public ILocator OlderButton => Page.Locator("#older-button");

    public ILocator OlderNote => Page.Locator("#older-note");

    /// <summary>A room under "Rooms to join" (rooms the user is not in), by its lower-case name.</summary>
    public ILocator RoomToJoin(string key) => Page.Locator($"#server-rooms button[data-room='{key}']");

    public ILocator DaySeparators => Page.Locator("#messages .line-day");

    public ILocator ErrorLines => Page.Locator("#messages .line-error");

    /// <summary>The colour of a member's presence dot, as the browser paints it.</summary>
    public Task<string> PresenceColourAsync(string user) =>
        Member(user).EvaluateAsync<string>("item => getComputedStyle(item, '::before').backgroundColor");

    /// <summary>
    /// Opens the page, not signed in yet. <paramref name="prepare"/> runs before the page loads: to watch or route
    /// its WebSocket.
    /// </summary>
    public static async Task<ChatPage> OpenAsync(
        IBrowser browser, Uri server, ViewportSize? viewport = null, Func<IPage, Task>? prepare = null,
        Action<BrowserNewContextOptions>? configure = null)
    {
        var options = new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? Laptop,
            DeviceScaleFactor = 1,
            IsMobile = viewport == Phone,
            HasTouch = viewport == Phone,
        };
        configure?.Invoke(options);
        var context = await browser.NewContextAsync(options);
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        var chat = new ChatPage(context, page);
        if (prepare is not null) await prepare(page);
        await page.GotoAsync(server.ToString());
        return chat;
    }

    /// <summary>
    /// Opens the page and signs in as <paramref name="name"/>; waits until connected and in the server's default
    /// room, #general.
    /// </summary>
    public static async Task<ChatPage> SignInAsync(
        IBrowser browser, Uri server, string name, ViewportSize? viewport = null, Func<IPage, Task>? prepare = null,
        Action<BrowserNewContextOptions>? configure = null)
    {
        var chat = await OpenAsync(browser, server, viewport, prepare, configure);
        await chat.Page.Locator("#name-input").FillAsync(name);
        await chat.Page.Locator("#name-input").PressAsync("Enter");
        await Expect(chat.Status).ToHaveAttributeAsync("data-state", "connected");
        await Expect(chat.Title).ToHaveTextAsync("#general");
        return chat;
    }

    public async Task JoinAsync(string room)
    {
        await Page.Locator("#room-input").FillAsync(room);
        await Page.Locator("#room-input").PressAsync("Enter");
        await Expect(Page.Locator("#conversation-title")).ToHaveTextAsync($"#{room}");
    }

    /// <summary>Types into the message box and presses Enter.</summary>
    public async Task SayAsync(string text)
    {
        await Page.Locator("#message-input").FillAsync(text);
        await Page.Locator("#message-input").PressAsync("Enter");
    }

    public Task ExpectMessageAsync(string sender, string text) =>
        Expect(Messages.Filter(new LocatorFilterOptions { Has = Page.Locator(".line-sender", new PageLocatorOptions { HasTextString = sender }) })
            .Filter(new LocatorFilterOptions { HasTextString = text })).Not.ToHaveCountAsync(0);

    public async Task<int> ChartCountAsync(string user) =>
        int.Parse(await ChartRow(user).GetAttributeAsync("data-count") ?? "0");

    public async Task ScreenshotAsync(string fileName) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotFolder, fileName) });

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
