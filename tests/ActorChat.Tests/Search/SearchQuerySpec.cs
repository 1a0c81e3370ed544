using ActorChat.Server.Search;

namespace ActorChat.Tests.Search;

public sealed class SearchQuerySpec
{
    [Fact]
    public void Words_become_quoted_terms_that_must_all_match()
    {
        var query = SearchQuery.Parse("Deploy Friday", out _)!;
        Assert.Equal("\"deploy\" AND \"friday\"", query.ToFts5());
        Assert.Equal("('deploy') & ('friday')", query.ToTsQuery());
    }

    [Fact]
    public void A_star_at_the_end_of_a_word_makes_it_a_prefix()
    {
        var query = SearchQuery.Parse("deplo*", out _)!;
        Assert.Equal("\"deplo\"*", query.ToFts5());
        Assert.Equal("('deplo':*)", query.ToTsQuery());
    }

    [Fact]
    public void Quoted_words_are_one_phrase()
    {
        var query = SearchQuery.Parse("\"ship it\" now", out _)!;
        Assert.Equal("\"ship it\" AND \"now\"", query.ToFts5());
        Assert.Equal("('ship' <-> 'it') & ('now')", query.ToTsQuery());
    }

    [Fact]
    public void Accents_and_case_are_folded_before_the_index_sees_a_word()
    {
        Assert.Equal("\"creme\" AND \"brulee\"", SearchQuery.Parse("CRÈME Brûlée", out _)!.ToFts5());
        Assert.Equal(["creme", "brulee"], SearchText.Words("Crème  brûlée!"));
    }

    [Fact]
    public void Punctuation_inside_a_word_makes_it_a_phrase_of_its_parts()
    {
        Assert.Equal("\"e mail\"", SearchQuery.Parse("e-mail", out _)!.ToFts5());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("!!! ...")]
    [InlineData("\"unclosed phrase")]
    [InlineData("NEAR(a b)")]
    [InlineData("text:secret")]
    [InlineData("a^b")]
    [InlineData("{col1 col2}: x")]
    [InlineData("de*ploy")]
    [InlineData("\"ship* it\"")]
    [InlineData("*")]
    [InlineData("+x")]
    public void A_query_the_server_cannot_read_is_refused_with_a_reason(string text)
    {
        Assert.Null(SearchQuery.Parse(text, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void A_query_longer_than_the_limit_is_refused()
    {
        Assert.Null(SearchQuery.Parse(new string('a', SearchQuery.MaxLength + 1), out var problem));
        Assert.Contains("at most", problem);
    }

    [Fact]
    public void Operator_words_are_searched_for_as_words()
    {
        Assert.Equal("\"not\" AND \"or\" AND \"near\"", SearchQuery.Parse("NOT OR NEAR", out _)!.ToFts5());
    }
}
