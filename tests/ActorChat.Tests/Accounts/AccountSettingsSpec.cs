using System.Collections;
using ActorChat.Server.Configuration;

namespace ActorChat.Tests.Accounts;

public sealed class AccountSettingsSpec
{
    private static LoadResult Load(string[] args, Hashtable? environment = null) => SettingsLoader.Load(args, environment ?? new Hashtable());

    [Fact]
    public void Accounts_are_optional_and_nobody_is_an_operator_by_default()
    {
        var accounts = Load([]).Settings!.Accounts;
        Assert.Equal(AccountMode.Optional, accounts.Mode);
        Assert.Empty(accounts.Operators);
        Assert.True(accounts.HashIterations >= 210_000);
    }

    [Theory]
    [InlineData("open", AccountMode.Open)]
    [InlineData("optional", AccountMode.Optional)]
    [InlineData("required", AccountMode.Required)]
    public void The_mode_comes_from_the_flag(string flag, AccountMode mode)
    {
        Assert.Equal(mode, Load(["--accounts", flag]).Settings!.Accounts.Mode);
    }

    [Fact]
    public void The_flag_wins_over_the_environment()
    {
        var environment = new Hashtable { ["ACTORCHAT_ACCOUNTS"] = "required", ["ACTORCHAT_OPERATORS"] = "ann, ben" };
        Assert.Equal(AccountMode.Required, Load([], environment).Settings!.Accounts.Mode);
        Assert.Equal(["ann", "ben"], Load([], environment).Settings!.Accounts.Operators);
        var flags = Load(["--accounts", "open", "--operator", "cat"], environment).Settings!.Accounts;
        Assert.Equal((AccountMode.Open, "cat"), (flags.Mode, Assert.Single(flags.Operators)));
    }

    [Fact]
    public void An_unknown_mode_is_an_error_naming_the_flag_and_its_choices()
    {
        Assert.Equal("--accounts: expected open, optional or required, got 'closed'.", Load(["--accounts", "closed"]).Error);
    }

    [Fact]
    public void Operator_may_be_given_several_times_and_names_must_be_names()
    {
        var accounts = Load(["--operator", "root", "--operator", "Admin"]).Settings!.Accounts;
        Assert.Equal(["root", "Admin"], accounts.Operators);
        Assert.True(accounts.IsOperator("ADMIN"));
        Assert.False(accounts.IsOperator("mallory"));
        Assert.Equal("--operator: expected an account name, got 'not a name'.", Load(["--operator", "not a name"]).Error);
    }
}
