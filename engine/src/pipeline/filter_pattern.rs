//! GitHub Actions' filter patterns for `on.<push|pull_request>.<branches|tags>` (the workflow
//! syntax's "filter pattern cheat sheet"): `*` matches any run of characters but `/`, `**` any
//! run at all, `?` zero or one character, `+` one or more of the character (or class) before it,
//! `[...]` one character of a set with ranges, and `\` takes the next character literally. A
//! list of patterns is read in order, and a pattern starting with `!` takes back the names the
//! patterns before it matched.

/// True when `name` is admitted by `patterns`, read in order: the last pattern that matches
/// decides, a `!` pattern excluding.
pub fn admitted_by(patterns: &[String], name: &str) -> bool {
    let mut admitted = false;
    for pattern in patterns {
        match pattern.strip_prefix('!') {
            Some(negated) => {
                if admitted && matches(negated, name) {
                    admitted = false;
                }
            }
            None => {
                if !admitted && matches(pattern, name) {
                    admitted = true;
                }
            }
        }
    }
    admitted
}

/// True when `name` matches one pattern (without `!`).
pub fn matches(pattern: &str, name: &str) -> bool {
    let tokens = tokenize(pattern);
    let name: Vec<char> = name.chars().collect();
    match_from(&tokens, &name)
}

/// True when the pattern has none of the special characters: it names one branch or tag.
pub fn is_literal(pattern: &str) -> bool {
    !pattern.contains(['*', '?', '+', '[', '\\', '!'])
}

/// One piece of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// One given character.
    Char(char),
    /// One character of a set: single characters and inclusive ranges.
    Class(Vec<(char, char)>),
    /// `*`: any run of characters without `/`.
    Star,
    /// `**`: any run of characters.
    DoubleStar,
    /// `?`: zero or one character (not `/`).
    Optional,
    /// A character or class followed by `+`: one or more of it.
    OneOrMore(Box<Token>),
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                tokens.push(Token::DoubleStar);
                i += 2;
                continue;
            }
            '*' => tokens.push(Token::Star),
            '?' => tokens.push(Token::Optional),
            '+' => match tokens.pop() {
                Some(previous @ (Token::Char(_) | Token::Class(_))) => {
                    tokens.push(Token::OneOrMore(Box::new(previous)));
                }
                // `+` after nothing, a wildcard or another `+` stands for itself.
                Some(other) => {
                    tokens.push(other);
                    tokens.push(Token::Char('+'));
                }
                None => tokens.push(Token::Char('+')),
            },
            '\\' if i + 1 < chars.len() => {
                tokens.push(Token::Char(chars[i + 1]));
                i += 2;
                continue;
            }
            '[' => {
                if let Some(close) = chars[i + 1..].iter().position(|c| *c == ']') {
                    let body = &chars[i + 1..i + 1 + close];
                    let mut ranges = Vec::new();
                    let mut j = 0;
                    while j < body.len() {
                        if j + 2 < body.len() && body[j + 1] == '-' {
                            ranges.push((body[j], body[j + 2]));
                            j += 3;
                        } else {
                            ranges.push((body[j], body[j]));
                            j += 1;
                        }
                    }
                    tokens.push(Token::Class(ranges));
                    i += close + 2;
                    continue;
                }
                tokens.push(Token::Char('['));
            }
            c => tokens.push(Token::Char(c)),
        }
        i += 1;
    }
    tokens
}

fn one(token: &Token, c: char) -> bool {
    match token {
        Token::Char(expected) => *expected == c,
        Token::Class(ranges) => ranges.iter().any(|(low, high)| (*low..=*high).contains(&c)),
        _ => false,
    }
}

fn match_from(tokens: &[Token], name: &[char]) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return name.is_empty();
    };
    match token {
        Token::Char(_) | Token::Class(_) => {
            name.first().is_some_and(|c| one(token, *c)) && match_from(rest, &name[1..])
        }
        Token::Star => {
            let run = name.iter().take_while(|c| **c != '/').count();
            (0..=run).any(|taken| match_from(rest, &name[taken..]))
        }
        Token::DoubleStar => (0..=name.len()).any(|taken| match_from(rest, &name[taken..])),
        Token::Optional => {
            match_from(rest, name)
                || (name.first().is_some_and(|c| *c != '/') && match_from(rest, &name[1..]))
        }
        Token::OneOrMore(inner) => {
            let run = name.iter().take_while(|c| one(inner, **c)).count();
            (1..=run).any(|taken| match_from(rest, &name[taken..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cheat sheet's examples and the branch examples of the workflow syntax page.
    #[test]
    fn the_cheat_sheet_examples() {
        let table = [
            ("Octo*", "Octocat", true),
            ("*", "feature/login", false),
            ("**", "feature/login", true),
            ("feature/*", "feature/login", true),
            ("feature/*", "feature/login/oauth", false),
            ("feature/**", "feature/login/oauth", true),
            ("Octoc?t", "Octocat", true),
            ("Octoc?t", "Octoct", true),
            ("Octoc?t", "Octocaat", false),
            ("Octo+cat", "Octocat", true),
            ("Octo+cat", "Octoooocat", true),
            ("Octo+cat", "Octcat", false),
            ("[CB]at", "Cat", true),
            ("[CB]at", "Bat", true),
            ("[CB]at", "Rat", false),
            ("[1-2]00", "100", true),
            ("[1-2]00", "200", true),
            ("[1-2]00", "300", false),
            ("v[0-9]+.[0-9]+.[0-9]+", "v10.2.33", true),
            ("v[0-9]+.[0-9]+.[0-9]+", "v10.2", false),
            ("releases/**-alpha", "releases/beta/3-alpha", true),
            ("main", "main", true),
            ("main", "maintenance", false),
            ("v2\\+", "v2+", true),
            ("v2\\+", "v22", false),
        ];
        for (pattern, name, expected) in table {
            assert_eq!(matches(pattern, name), expected, "{pattern} vs {name}");
        }
    }

    /// The docs' example (`releases/**` then `!releases/**-alpha`: releases/10 and
    /// releases/beta/mona run, releases/10-alpha and releases/beta/3-alpha do not), and a later
    /// positive pattern taking one name back in.
    #[test]
    fn negative_patterns_take_back_what_came_before() {
        let patterns: Vec<String> = ["releases/**", "!releases/**-alpha", "releases/1.0-alpha"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        let table = [
            ("releases/10", true),
            ("releases/beta/mona", true),
            ("releases/10-alpha", false),
            ("releases/beta/3-alpha", false),
            ("releases/1.0-alpha", true),
            ("main", false),
        ];
        for (name, expected) in table {
            assert_eq!(admitted_by(&patterns, name), expected, "{name}");
        }
        assert!(is_literal("release/2026"));
        assert!(!is_literal("release/*"));
    }
}
