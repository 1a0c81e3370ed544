using System.Collections;
using ActorChat.Server.Cluster;
using ActorChat.Server.Configuration;

namespace ActorChat.Tests.Cluster;

/// <summary>The settings of cluster bootstrap (--bootstrap) and the combinations a node refuses to start with.</summary>
public sealed class BootstrapSettingsSpec
{
    private const string Postgres = "Host=127.0.0.1;Database=actorchat";

    private static LoadResult Load(params string[] args) => SettingsLoader.Load(args, new Hashtable());

    private static LoadResult Load(Hashtable environment, params string[] args) => SettingsLoader.Load(args, environment);

    /// <summary>Why a node with these flags would not start (null: it would).</summary>
    private static string? StartProblem(params string[] args)
    {
        var load = Load(args);
        Assert.True(load.Error is null, load.Error);
        return ClusterSetup.StartProblem(load.Settings!);
    }

    [Fact]
    public void By_default_bootstrap_is_off_with_management_port_8558_and_no_contact_points()
    {
        var bootstrap = Load("--cluster", "--postgres", Postgres).Settings!.Cluster.Bootstrap;

        Assert.False(bootstrap.Enabled);
        Assert.Equal(8558, bootstrap.ManagementPort);
        Assert.Empty(bootstrap.ContactPoints);
        Assert.Null(StartProblem("--cluster", "--postgres", Postgres));
    }

    [Fact]
    public void Flags_turn_bootstrap_on_with_its_port_contact_points_and_required_count()
    {
        var bootstrap = Load("--cluster", "--postgres", Postgres, "--bootstrap", "--management-port", "9000",
            "--contact-points", "10.0.0.1:9000, node-b.chat.svc:9000,10.0.0.3:9000", "--required-contact-points", "2").Settings!.Cluster.Bootstrap;

        Assert.True(bootstrap.Enabled);
        Assert.Equal(9000, bootstrap.ManagementPort);
        Assert.Equal(["10.0.0.1:9000", "node-b.chat.svc:9000", "10.0.0.3:9000"], bootstrap.ContactPoints);
        Assert.Equal(2, bootstrap.Required);
    }

    [Fact]
    public void Without_a_required_count_every_contact_point_must_answer()
    {
        var bootstrap = Load("--cluster", "--postgres", Postgres, "--bootstrap", "--contact-points", "a:8558,b:8558,c:8558").Settings!.Cluster.Bootstrap;

        Assert.Equal(0, bootstrap.RequiredContactPoints);
        Assert.Equal(3, bootstrap.Required);
    }

    [Fact]
    public void The_environment_sets_the_same_settings_and_flags_win_over_it()
    {
        var environment = new Hashtable
        {
            ["ACTORCHAT_BOOTSTRAP"] = "1",
            ["ACTORCHAT_MANAGEMENT_PORT"] = "0",
            ["ACTORCHAT_CONTACT_POINTS"] = "a:1,b:2",
            ["ACTORCHAT_REQUIRED_CONTACT_POINTS"] = "1",
        };
        var fromEnvironment = Load(environment, "--cluster", "--postgres", Postgres).Settings!.Cluster.Bootstrap;
        Assert.Equal((true, 0, 1), (fromEnvironment.Enabled, fromEnvironment.ManagementPort, fromEnvironment.Required));
        Assert.Equal(["a:1", "b:2"], fromEnvironment.ContactPoints);

        var overridden = Load(environment, "--cluster", "--postgres", Postgres, "--management-port", "7000", "--contact-points", "c:7000").Settings!.Cluster.Bootstrap;
        Assert.Equal((7000, 1), (overridden.ManagementPort, overridden.Required));
        Assert.Equal(["c:7000"], overridden.ContactPoints);
    }

    [Fact]
    public void Bootstrap_without_cluster_mode_is_refused_and_says_it_needs_cluster()
    {
        var problem = StartProblem("--bootstrap", "--contact-points", "a:8558", "--postgres", Postgres);

        Assert.NotNull(problem);
        Assert.StartsWith("--bootstrap needs cluster mode (--cluster)", problem);
    }

    [Fact]
    public void Bootstrap_with_seed_nodes_is_refused_and_says_why()
    {
        var problem = StartProblem("--cluster", "--postgres", Postgres, "--bootstrap", "--contact-points", "a:8558", "--seed-nodes", "a:4053");

        Assert.NotNull(problem);
        Assert.StartsWith("--bootstrap and --seed-nodes cannot be used together", problem);
        Assert.Contains("would not run", problem);
    }

    [Fact]
    public void Bootstrap_without_contact_points_is_refused()
    {
        var problem = StartProblem("--cluster", "--postgres", Postgres, "--bootstrap");

        Assert.NotNull(problem);
        Assert.StartsWith("--bootstrap needs --contact-points", problem);
    }

    [Fact]
    public void More_required_contact_points_than_listed_is_refused_as_a_cluster_that_would_never_form()
    {
        var problem = StartProblem("--cluster", "--postgres", Postgres, "--bootstrap", "--contact-points", "a:8558,b:8558", "--required-contact-points", "3");

        Assert.NotNull(problem);
        Assert.Contains("--required-contact-points 3 is more than the 2 contact points listed", problem);
    }

    [Theory]
    [InlineData("node-a")]              // no port
    [InlineData(":8558")]               // no host
    [InlineData("node-a:0")]            // port out of range
    [InlineData("node-a:65536")]
    [InlineData("node-a:http")]
    [InlineData("node-a:8558:1")]       // the config method would cut it at the first colon
    [InlineData("[::1]:8558")]          // nor can it hold an IPv6 literal
    [InlineData("node-a:85 58")]
    public void A_contact_point_that_is_not_host_and_port_is_refused_naming_it(string point)
    {
        var load = Load("--cluster", "--postgres", Postgres, "--bootstrap", "--contact-points", $"b:8558,{point}");

        Assert.Null(load.Settings);
        Assert.Contains($"contact point '{point}' is not host:port", load.Error);
    }

    [Fact]
    public void A_contact_point_listed_twice_is_refused_since_bootstrap_would_wait_for_it_twice()
    {
        var load = Load("--cluster", "--postgres", Postgres, "--bootstrap", "--contact-points", "a:8558,b:8558,A:8558");

        Assert.Null(load.Settings);
        Assert.Contains("contact point 'a:8558' is listed twice", load.Error);
    }

    [Fact]
    public void A_bad_management_port_or_required_count_is_refused_by_the_flag()
    {
        Assert.Contains("--management-port", Load("--management-port", "70000").Error);
        Assert.Contains("--required-contact-points", Load("--required-contact-points", "-1").Error);
        Assert.Contains("ACTORCHAT_MANAGEMENT_PORT", Load(new Hashtable { ["ACTORCHAT_MANAGEMENT_PORT"] = "x" }).Error);
    }
}
