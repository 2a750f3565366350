//! Ruby's `File.fnmatch` with `FNM_PATHNAME`, which GitHub uses for deployment branch and tag
//! name patterns: `*` and `?` never match `/`, `**/` matches any number of whole directories,
//! `[a-z]` and `[!a-z]` are character classes, and `\` escapes the next character. Without
//! `FNM_DOTMATCH`, a `.` that starts the name or a segment is matched only by a `.` in the
//! pattern, and `**/` does not walk into such hidden directories.

/// True when `name` matches `pattern`.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    matches(&pattern, &name, true)
}

/// `segment_start`: `name` begins a path segment (the whole name, or just after a `/`), where a
/// leading `.` must be matched by a `.` in the pattern, as Ruby does without `FNM_DOTMATCH`.
fn matches(pattern: &[char], name: &[char], segment_start: bool) -> bool {
    let literal_dot = matches!(pattern, ['.', ..] | ['\\', '.', ..]);
    let double_star = matches!(pattern, ['*', '*', '/', ..]);
    if segment_start && name.first() == Some(&'.') && !literal_dot && !double_star {
        return false;
    }
    match pattern.first() {
        None => name.is_empty(),
        Some('*') if double_star => {
            // `**/`: zero or more directories, each ending in `/`, none of them hidden.
            let rest = &pattern[3..];
            if matches(rest, name, segment_start) {
                return true;
            }
            let mut start = 0;
            for (slash, _) in name.iter().enumerate().filter(|(_, c)| **c == '/') {
                if name.get(start) == Some(&'.') {
                    return false;
                }
                if matches(rest, &name[slash + 1..], true) {
                    return true;
                }
                start = slash + 1;
            }
            false
        }
        Some('*') => {
            let rest = &pattern[1..];
            // Any run of characters up to, not across, the next `/`.
            for taken in 0..=name.len() {
                if matches(rest, &name[taken..], taken == 0 && segment_start) {
                    return true;
                }
                if name.get(taken) == Some(&'/') {
                    break;
                }
            }
            false
        }
        Some('?') => {
            name.first().is_some_and(|c| *c != '/') && matches(&pattern[1..], &name[1..], false)
        }
        Some('[') => match (
            class_matches(&pattern[1..], name.first().copied()),
            name.first(),
        ) {
            (Some((true, used)), Some(c)) if *c != '/' => {
                matches(&pattern[1 + used..], &name[1..], false)
            }
            (Some(_), _) => false,
            // An unclosed `[` is an ordinary character.
            (None, Some('[')) => matches(&pattern[1..], &name[1..], false),
            (None, _) => false,
        },
        Some('\\') if pattern.len() > 1 => {
            name.first() == Some(&pattern[1])
                && matches(&pattern[2..], &name[1..], pattern[1] == '/')
        }
        Some(literal) => {
            name.first() == Some(literal) && matches(&pattern[1..], &name[1..], *literal == '/')
        }
    }
}

/// Whether `c` is in the class that starts just after `[`, and how many pattern characters the
/// class used (including the closing `]`); `None` when the class never closes.
fn class_matches(class: &[char], c: Option<char>) -> Option<(bool, usize)> {
    let negated = matches!(class.first(), Some('!' | '^'));
    let mut index = usize::from(negated);
    let mut found = false;
    let mut first = true;
    while let Some(&start) = class.get(index) {
        if start == ']' && !first {
            return Some((found != negated, index + 1));
        }
        first = false;
        if class.get(index + 1) == Some(&'-') && class.get(index + 2).is_some_and(|e| *e != ']') {
            let end = class[index + 2];
            found |= c.is_some_and(|c| start <= c && c <= end);
            index += 3;
        } else {
            found |= c == Some(start);
            index += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    /// GitHub's documented examples and Ruby's `File.fnmatch(pattern, path, File::FNM_PATHNAME)`.
    #[test]
    fn patterns() {
        let table = [
            ("main", "main", true),
            ("main", "mainline", false),
            ("release/*", "release/10", true),
            ("release/*", "release/beta/3", false),
            ("release/*/*", "release/beta/3", true),
            ("release/**/*", "release/beta/3", true),
            ("release/**/*", "release/10", true),
            ("*", "feature/login", false),
            ("*", "main", true),
            ("**/*", "feature/login", true),
            ("feature-?", "feature-a", true),
            ("feature-?", "feature-ab", false),
            ("v[0-9].*", "v1.2", true),
            ("v[0-9].*", "vX.2", false),
            ("v[!0-9]*", "vX", true),
            ("hotfix\\*", "hotfix*", true),
            ("hotfix\\*", "hotfix1", false),
            ("*/deploy", "team/deploy", true),
            ("*/deploy", "a/team/deploy", false),
            ("[", "[", true),
            // Ruby's own examples for File.fnmatch with FNM_PATHNAME.
            ("cat", "cat", true),
            ("cat", "category", false),
            ("c?t", "cat", true),
            ("c??t", "cat", false),
            ("c*", "cats", true),
            ("ca[a-z]", "cat", true),
            ("ca[^t]", "cat", false),
            ("cat", "CAT", false),
            ("?", "/", false),
            ("*", "/", false),
            ("[/]", "/", false),
            ("\\?", "?", true),
            ("\\a", "a", true),
            ("[\\?]", "?", true),
            ("*", ".profile", false),
            ("*.profile", ".profile", false),
            (".*", ".profile", true),
            ("*/*", "dave/.profile", false),
            ("*/.*", "dave/.profile", true),
            ("**/foo", "a/b/c/foo", true),
            ("**/foo", "foo", true),
            ("**/foo", "a/.b/c/foo", false),
        ];
        for (pattern, name, expected) in table {
            assert_eq!(fnmatch(pattern, name), expected, "{pattern} ~ {name}");
        }
    }
}
