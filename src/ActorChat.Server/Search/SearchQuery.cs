using System.Text;

namespace ActorChat.Server.Search;

/// <summary>One thing a message must contain: a word, a phrase (words next to each other), the last one maybe a prefix.</summary>
public sealed record SearchTerm(IReadOnlyList<string> Words, bool Prefix);

/// <summary>
/// A search as the user typed it, parsed into terms that must all match. Words are separated by anything that is not
/// a letter or digit; <c>word*</c> is a prefix; "quoted words" are a phrase. Characters that are search syntax in
/// SQLite FTS5 or PostgreSQL (parentheses, ':', '^', '{', '}', '+', a '*' that does not end a word) are refused rather
/// than guessed at, and the match expressions are built from the parsed words only, never from the user's text.
/// </summary>
public sealed class SearchQuery
{
    public const int MaxLength = 200;
    public const int MaxTerms = 16;

    private static readonly char[] Syntax = ['(', ')', ':', '^', '{', '}', '+', '[', ']'];

    public IReadOnlyList<SearchTerm> Terms { get; }

    private SearchQuery(IReadOnlyList<SearchTerm> terms) => Terms = terms;

    /// <summary>The query, or null and why not.</summary>
    public static SearchQuery? Parse(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text)) return Fail("A search needs at least one word.", out problem);
        if (text.Length > MaxLength) return Fail($"A search is at most {MaxLength} characters.", out problem);
        if (text.Count(c => c == '"') % 2 != 0) return Fail("A quote is not closed: put phrases between two \" marks.", out problem);
        var syntax = text.IndexOfAny(Syntax);
        if (syntax >= 0) return Fail($"'{text[syntax]}' is not part of a search: use words, word* and \"phrases\".", out problem);

        var terms = new List<SearchTerm>();
        var parts = text.Split('"');
        for (var i = 0; i < parts.Length; i++)
        {
            var quoted = i % 2 == 1;
            if (quoted)
            {
                if (parts[i].Contains('*')) return Fail("'*' ends a word outside quotes (deplo*), not inside a phrase.", out problem);
                var words = SearchText.Words(parts[i]);
                if (words.Count > 0) terms.Add(new SearchTerm(words, Prefix: false));
                continue;
            }
            foreach (var piece in parts[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var prefix = piece.EndsWith('*');
                var body = prefix ? piece.TrimEnd('*') : piece;
                if (body.Contains('*')) return Fail("'*' may only end a word (deplo*).", out problem);
                var words = SearchText.Words(body);
                if (words.Count == 0)
                {
                    if (prefix) return Fail("'*' needs a word before it (deplo*).", out problem);
                    continue;
                }
                terms.Add(new SearchTerm(words, prefix));
            }
        }
        if (terms.Count == 0) return Fail("A search needs at least one word (letters or digits).", out problem);
        if (terms.Count > MaxTerms) return Fail($"A search has at most {MaxTerms} words and phrases.", out problem);
        return new SearchQuery(terms);
    }

    private static SearchQuery? Fail(string why, out string? problem)
    {
        problem = why;
        return null;
    }

    /// <summary>
    /// The FTS5 MATCH expression: every term a double-quoted string (words are letters and digits only, so nothing in
    /// them is syntax), a prefix term followed by '*', terms joined by AND.
    /// </summary>
    public string ToFts5() => string.Join(" AND ", Terms.Select(t => $"\"{string.Join(' ', t.Words)}\"" + (t.Prefix ? "*" : "")));

    /// <summary>
    /// The PostgreSQL tsquery text for <c>to_tsquery('simple', …)</c>: words quoted as lexemes, phrases joined by
    /// &lt;-&gt;, a prefix marked :*, terms joined by &amp;.
    /// </summary>
    public string ToTsQuery()
    {
        var builder = new StringBuilder();
        foreach (var term in Terms)
        {
            if (builder.Length > 0) builder.Append(" & ");
            builder.Append('(');
            for (var i = 0; i < term.Words.Count; i++)
            {
                if (i > 0) builder.Append(" <-> ");
                builder.Append('\'').Append(term.Words[i]).Append('\'');
                if (term.Prefix && i == term.Words.Count - 1) builder.Append(":*");
            }
            builder.Append(')');
        }
        return builder.ToString();
    }

    public override string ToString() => ToFts5();
}
