using ActorChat.Client.Cli;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

public sealed class CommandParserSpec
{
    [Fact]
    public void A_plain_line_is_said_as_typed() =>
        Assert.Equal(new SayCommand("hello  there"), CommandParser.Parse("hello  there"));

    [Fact]
    public void A_line_starting_with_two_slashes_says_the_text_after_the_first() =>
        Assert.Equal(new SayCommand("/shrug"), CommandParser.Parse("//shrug"));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_line_does_nothing(string line) => Assert.IsType<EmptyCommand>(CommandParser.Parse(line));

    [Theory]
    [InlineData("/quit")]
    [InlineData("/QUIT")]
    [InlineData("exit")]
    [InlineData("  exit ")]
    public void Quit_and_exit_quit(string line) => Assert.IsType<QuitCommand>(CommandParser.Parse(line));

    [Fact]
    public void Slash_clear_clears_the_screen_and_plain_clear_is_said() =>
        Assert.Equal((new ClearCommand(), new SayCommand("clear")), (CommandParser.Parse("/clear"), CommandParser.Parse("clear")));

    [Fact]
    public void Join_takes_one_room() => Assert.Equal(new JoinCommand("dev"), CommandParser.Parse("/join dev"));

    [Fact]
    public void Leave_without_a_room_means_the_current_one() => Assert.Equal(new LeaveCommand(null), CommandParser.Parse("/leave"));

    [Fact]
    public void Leave_with_a_room_names_it() => Assert.Equal(new LeaveCommand("dev"), CommandParser.Parse("/leave dev"));

    [Fact]
    public void Switch_takes_one_room() => Assert.Equal(new SwitchCommand("ops"), CommandParser.Parse("/switch ops"));

    [Fact]
    public void Msg_takes_a_name_and_the_rest_of_the_line_as_text() =>
        Assert.Equal(new DirectMessageCommand("bob", "see you at 5"), CommandParser.Parse("/msg bob see you at 5"));

    [Theory]
    [InlineData("/rooms", typeof(RoomsCommand))]
    [InlineData("/who", typeof(WhoCommand))]
    [InlineData("/stats", typeof(StatsCommand))]
    [InlineData("/help", typeof(HelpCommand))]
    public void Commands_without_arguments_are_recognised(string line, Type expected) =>
        Assert.IsType(expected, CommandParser.Parse(line));

    [Fact]
    public void History_without_a_count_asks_for_twenty() =>
        Assert.Equal(new HistoryCommand(20), CommandParser.Parse("/history"));

    [Theory]
    [InlineData("/history 15", 15)]
    [InlineData("/history 1", 1)]
    [InlineData("/HISTORY 200", 200)]
    [InlineData("/hist 7", 7)]
    public void History_takes_a_count_from_1_to_200(string line, int count) =>
        Assert.Equal(new HistoryCommand(count), CommandParser.Parse(line));

    [Theory]
    [InlineData("/history 0")]
    [InlineData("/history 201")]
    [InlineData("/history -5")]
    [InlineData("/history ten")]
    [InlineData("/history 1.5")]
    [InlineData("/history 5 6")]
    public void History_with_a_count_that_is_not_1_to_200_gets_its_usage(string line)
    {
        var invalid = Assert.IsType<InvalidCommand>(CommandParser.Parse(line));
        Assert.Contains("/history [N]", invalid.Hint);
        Assert.Contains("200", invalid.Hint);
    }

    [Theory]
    [InlineData("/join ROOM [PASSWORD]")]
    [InlineData("/kill NAME [REASON]")]
    [InlineData("/gban NAME|ADDRESS [MINUTES] [REASON]")]
    [InlineData("/gunban NAME|ADDRESS")]
    public void The_operator_commands_and_a_private_rooms_join_are_listed_in_help(string usage) =>
        Assert.Contains(CommandParser.Commands, c => c.Usage == usage);

    [Fact]
    public void History_is_listed_in_help() =>
        Assert.Contains(CommandParser.Commands, c => c.Usage == "/history [N]");

    [Theory]
    [InlineData("/join", "/join ROOM")]
    [InlineData("/join a b c", "/join ROOM [PASSWORD]")]
    [InlineData("/switch", "/switch ROOM")]
    [InlineData("/msg bob", "/msg NAME TEXT")]
    [InlineData("/msg", "/msg NAME TEXT")]
    public void A_command_missing_its_arguments_gets_its_usage(string line, string usage)
    {
        var invalid = Assert.IsType<InvalidCommand>(CommandParser.Parse(line));
        Assert.Contains(usage, invalid.Hint);
    }

    [Fact]
    public void An_unknown_command_gets_a_hint_to_type_help()
    {
        var invalid = Assert.IsType<InvalidCommand>(CommandParser.Parse("/dance wildly"));
        Assert.Contains("/dance", invalid.Hint);
        Assert.Contains("/help", invalid.Hint);
    }

    [Fact]
    public void Rooms_may_name_where_to_go_on_from() =>
        Assert.Equal(new RoomsCommand("general"), CommandParser.Parse("/rooms general"));

    [Theory]
    [InlineData("/topic release on friday", "release on friday")]
    [InlineData("/topic", "")]
    public void Topic_takes_the_rest_of_the_line_and_none_clears_it(string line, string topic) =>
        Assert.Equal(new TopicCommand(topic), CommandParser.Parse(line));

    [Fact]
    public void Kick_and_ban_take_a_name_and_an_optional_reason()
    {
        Assert.Equal(new KickCommand("bob", "flooding the room"), CommandParser.Parse("/kick bob flooding the room"));
        Assert.Equal(new KickCommand("bob", null), CommandParser.Parse("/kick bob"));
        Assert.Equal(new RoomBanCommand("bob", "spam"), CommandParser.Parse("/ban bob spam"));
        Assert.Equal(new RoomUnbanCommand("bob"), CommandParser.Parse("/unban bob"));
        Assert.IsType<InvalidCommand>(CommandParser.Parse("/kick"));
    }

    [Fact]
    public void Mode_is_private_with_an_optional_password_or_public()
    {
        Assert.Equal(new ModeCommand(true, null), CommandParser.Parse("/mode private"));
        Assert.Equal(new ModeCommand(true, "s3cret"), CommandParser.Parse("/mode private s3cret"));
        Assert.Equal(new ModeCommand(false, null), CommandParser.Parse("/mode public"));
        Assert.IsType<InvalidCommand>(CommandParser.Parse("/mode secret"));
    }

    [Fact]
    public void Delete_takes_the_number_shown_before_a_message()
    {
        Assert.Equal(new DeleteCommand(42), CommandParser.Parse("/delete 42"));
        Assert.Equal(new DeleteCommand(42), CommandParser.Parse("/delete [42]"));
        Assert.IsType<InvalidCommand>(CommandParser.Parse("/delete last"));
    }

    [Fact]
    public void Register_and_password_take_their_passwords_or_ask_for_them()
    {
        Assert.Equal(new RegisterCommand("correct-horse"), CommandParser.Parse("/register correct-horse"));
        Assert.Equal(new RegisterCommand(null), CommandParser.Parse("/register"));
        Assert.Equal(new PasswordCommand("old-one", "new-one"), CommandParser.Parse("/password old-one new-one"));
        Assert.Equal(new PasswordCommand(null, null), CommandParser.Parse("/password"));
    }

    [Fact]
    public void A_line_with_a_password_is_shown_without_it()
    {
        Assert.Equal("/register ***", CommandParser.Redacted("/register correct-horse"));
        Assert.Equal("/password ***", CommandParser.Redacted("/password old-one new-one"));
        Assert.Null(CommandParser.Redacted("/topic passwords are secret"));
    }

    [Fact]
    public void Join_with_a_second_word_gives_the_private_rooms_password_and_the_line_is_shown_without_it()
    {
        Assert.Equal(new JoinCommand("den", "sesame"), CommandParser.Parse("/join den sesame"));
        Assert.Equal("/join den ***", CommandParser.Redacted("/join den sesame"));
        Assert.Null(CommandParser.Redacted("/join den"));
    }

    [Fact]
    public void Kill_takes_a_name_and_an_optional_reason() =>
        Assert.Equal((new KillCommand("mallory", "calm down"), new KillCommand("mallory", null)),
            (CommandParser.Parse("/kill mallory calm down"), CommandParser.Parse("/kill mallory")));

    [Fact]
    public void A_server_ban_takes_a_name_or_an_address_then_optional_minutes_then_a_reason()
    {
        Assert.Equal(new ServerBanCommand("eve", null, 30, "flooding the room"), CommandParser.Parse("/gban eve 30 flooding the room"));
        Assert.Equal(new ServerBanCommand(null, "192.0.2.0/24", null, null), CommandParser.Parse("/gban 192.0.2.0/24"));
        Assert.Equal(new ServerBanCommand(null, "2001:db8::1", 1.5, null), CommandParser.Parse("/gban 2001:db8::1 1.5"));
        Assert.Equal(new ServerBanCommand("eve", null, null, "for good"), CommandParser.Parse("/gban eve for good"));
        Assert.Equal(new ServerBanCommand("1.2.3", null, null, null), CommandParser.Parse("/gban 1.2.3")); // a name may look like a number
        Assert.IsType<InvalidCommand>(CommandParser.Parse("/gban eve 0"));
        Assert.IsType<InvalidCommand>(CommandParser.Parse("/gban"));
    }

    [Fact]
    public void A_server_unban_takes_a_name_or_an_address() =>
        Assert.Equal((new ServerUnbanCommand("eve", null), new ServerUnbanCommand(null, "192.0.2.7")),
            (CommandParser.Parse("/gunban eve"), CommandParser.Parse("/gunban 192.0.2.7")));

    [Theory]
    [InlineData("/reply 12 yes, at noon", 12, "yes, at noon")]
    [InlineData("/re [3]  sure ", 3, "sure")]
    public void Reply_takes_the_number_shown_before_a_message_and_the_rest_of_the_line(string line, long seq, string text) =>
        Assert.Equal(new ReplyCommand(seq, text), CommandParser.Parse(line));

    [Fact]
    public void Edit_takes_a_number_and_the_new_text() =>
        Assert.Equal(new EditCommand(4, "hello  again"), CommandParser.Parse("/edit 4 hello  again"));

    [Fact]
    public void React_takes_a_number_and_one_emoji() =>
        Assert.Equal(new ReactCommand(7, "👍"), CommandParser.Parse("/react 7 👍"));

    [Fact]
    public void Me_is_an_action_with_the_text_as_typed() =>
        Assert.Equal(new ActionCommand("waves at  everyone"), CommandParser.Parse("/me waves at  everyone"));

    [Theory]
    [InlineData("/reply 12")]
    [InlineData("/reply x hello")]
    [InlineData("/reply 0 hello")]
    [InlineData("/edit 3")]
    [InlineData("/react 7")]
    [InlineData("/react 7 👍 extra")]
    [InlineData("/react seven 👍")]
    [InlineData("/me")]
    public void A_message_command_without_its_number_or_text_says_how_to_use_it(string line) =>
        Assert.StartsWith("Usage: /", Assert.IsType<InvalidCommand>(CommandParser.Parse(line)).Hint);

    [Fact]
    public void Help_lists_the_conversation_commands() =>
        Assert.Superset(new HashSet<string> { "/reply N TEXT", "/react N EMOJI", "/edit N TEXT", "/me TEXT", "/delete N" },
            CommandParser.Commands.Select(c => c.Usage).ToHashSet());
}
