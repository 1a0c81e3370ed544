using ActorChat.Server.Accounts;

namespace ActorChat.Tests.Accounts;

public sealed class PasswordHasherSpec
{
    private static readonly PasswordHasher Hasher = new(iterations: 1000); // the rule, not the cost, is under test

    [Fact]
    public void The_right_password_matches_its_hash()
    {
        var hash = Hasher.Hash("correct horse");
        Assert.True(PasswordHasher.Verify("correct horse", hash));
    }

    [Fact]
    public void A_wrong_password_does_not_match()
    {
        var hash = Hasher.Hash("correct horse");
        Assert.False(PasswordHasher.Verify("correct hors", hash));
        Assert.False(PasswordHasher.Verify("Correct horse", hash));
    }

    [Fact]
    public void Two_hashes_of_one_password_differ_by_their_salt()
    {
        var first = Hasher.Hash("correct horse");
        var second = Hasher.Hash("correct horse");
        Assert.NotEqual(first.Salt, second.Salt);
        Assert.NotEqual(first.Hash, second.Hash);
    }

    [Fact]
    public void A_hash_names_its_algorithm_and_iterations_so_they_can_be_raised_later()
    {
        var old = new PasswordHasher(1000).Hash("correct horse");
        Assert.Equal(PasswordHasher.Pbkdf2Sha512, old.Algorithm);
        Assert.Equal(1000, old.Iterations);
        Assert.Equal(64, old.Hash.Length);
        Assert.True(PasswordHasher.Verify("correct horse", old)); // still readable by a hasher with more iterations
    }

    [Fact]
    public void New_hashes_use_at_least_210000_iterations_by_default()
    {
        Assert.True(new PasswordHasher().Iterations >= 210_000);
    }

    [Fact]
    public void A_hash_of_an_unknown_algorithm_matches_nothing()
    {
        var hash = Hasher.Hash("correct horse") with { Algorithm = "md5" };
        Assert.False(PasswordHasher.Verify("correct horse", hash));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("seven77", true)]
    [InlineData("eight888", false)]
    [InlineData("ünïcødé8", false)]
    public void A_password_has_at_least_8_characters(string password, bool weak)
    {
        Assert.Equal(weak, PasswordHasher.Weakness(password) is not null);
    }

    [Fact]
    public void A_password_has_at_most_1024_characters()
    {
        Assert.Null(PasswordHasher.Weakness(new string('x', 1024)));
        Assert.NotNull(PasswordHasher.Weakness(new string('x', 1025)));
    }

    [Fact]
    public void A_stored_hash_shows_no_bytes_in_its_text()
    {
        var hash = Hasher.Hash("correct horse");
        Assert.DoesNotContain(Convert.ToBase64String(hash.Hash), hash.ToString());
        Assert.DoesNotContain("System.Byte", hash.ToString());
    }
}
