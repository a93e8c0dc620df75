//! Does a `.gitignore` cover a name? A small matcher for the patterns people write for build
//! folders (`node_modules/`, `/target`, `**/__pycache__`, `.env*`, `*.py[cod]`), with `!`
//! negation and "the last matching line wins", as git decides.
//!
//! Only single-component names at any depth are asked about, which is what the rules need;
//! patterns with an inner `/` (anchored to a sub-folder) never match them.

/// Whether `name` (a file, or a folder when `is_dir`) is ignored by `gitignore`'s text.
pub fn ignores(gitignore: &str, name: &str, is_dir: bool) -> Option<u32> {
    let mut verdict = None;
    for (i, raw) in gitignore.lines().enumerate() {
        let line = raw.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (negated, pattern) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (dir_only, pattern) = match pattern.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        if dir_only && !is_dir {
            continue;
        }
        let pattern = pattern
            .strip_prefix("**/")
            .or_else(|| pattern.strip_prefix('/'))
            .unwrap_or(pattern);
        if pattern.contains('/') {
            continue;
        }
        if glob(pattern.as_bytes(), name.as_bytes()) {
            verdict = if negated { None } else { Some(i as u32 + 1) };
        }
    }
    verdict
}

/// `*`, `?` and `[...]` (with `!`/`^` negation and ranges), no `/` in either side.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some(b'*') => (0..=text.len()).any(|skip| glob(&pattern[1..], &text[skip..])),
        Some(b'?') => !text.is_empty() && glob(&pattern[1..], &text[1..]),
        Some(b'[') => {
            let Some(close) = pattern
                .iter()
                .skip(2)
                .position(|&b| b == b']')
                .map(|p| p + 2)
            else {
                return text.first() == Some(&b'[') && glob(&pattern[1..], &text[1..]);
            };
            let Some(&c) = text.first() else {
                return false;
            };
            let mut class = &pattern[1..close];
            let negate = matches!(class.first(), Some(b'!' | b'^'));
            if negate {
                class = &class[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negate && glob(&pattern[close + 1..], &text[1..])
        }
        Some(&p) => text.first() == Some(&p) && glob(&pattern[1..], &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::ignores;

    #[test]
    fn common_patterns() {
        let gi = "# deps\nnode_modules/\n/target\n**/__pycache__\n.env*\n!.env.example\n*.py[cod]\nsrc/build/\n";
        assert_eq!(ignores(gi, "node_modules", true), Some(2));
        assert_eq!(ignores(gi, "node_modules", false), None);
        assert_eq!(ignores(gi, "target", true), Some(3));
        assert_eq!(ignores(gi, "__pycache__", true), Some(4));
        assert_eq!(ignores(gi, ".env", false), Some(5));
        assert_eq!(ignores(gi, ".env.example", false), None);
        assert_eq!(ignores(gi, "x.pyc", false), Some(7));
        assert_eq!(ignores(gi, "build", true), None);
    }
}
