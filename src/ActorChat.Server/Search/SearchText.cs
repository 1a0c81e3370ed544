using System.Globalization;
using System.Text;

namespace ActorChat.Server.Search;

/// <summary>
/// Words as the index sees them: runs of letters and digits, lowercase, accents removed (é → e), as SQLite's
/// <c>unicode61 remove_diacritics 2</c> tokenizer does. Queries and PostgreSQL's index go through the same split, so
/// a word found in one store is found in the other.
/// </summary>
public static class SearchText
{
    public static string Normalise(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) builder.Append(char.ToLowerInvariant(c));
        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>The words of a text, normalised, in order.</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var normalised = Normalise(text);
        var start = -1;
        for (var i = 0; i <= normalised.Length; i++)
        {
            var inWord = i < normalised.Length && char.IsLetterOrDigit(normalised[i]);
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                words.Add(normalised[start..i]);
                start = -1;
            }
        }
        return words;
    }

    /// <summary>The words joined by single spaces: what PostgreSQL's <c>simple</c> configuration indexes.</summary>
    public static string Indexable(string text) => string.Join(' ', Words(text));
}
