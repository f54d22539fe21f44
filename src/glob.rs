//! The one pattern language of profiles: `*` stands for one or more
//! characters. A leaf: the parsers (anchor/) use it, and know nothing of
//! profiles.

/// Whether `name` matches `pattern`, where each `*` stands for one or
/// more characters (so `**` for two or more) and `\*` for a star.
///
/// The classic two-pointer walk over bytes, a star first taking the one
/// character it must and then one more at a time (a whole UTF-8
/// character each, so the name is only ever cut between characters):
/// linear for one star, at worst pattern × name, and it allocates nothing
/// (it runs for every function of a large main.go).
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    // The length of the UTF-8 character starting with byte `b`.
    let char_len = |b: u8| match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    };
    let (mut i, mut j) = (0, 0);
    // After the last star: where the pattern resumes, and the name offset
    // the star's match last ended at.
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if p.get(i) == Some(&b'*') {
            i += 1;
            j += char_len(n[j]);
            star = Some((i, j));
            continue;
        }
        let (literal, taken) = match (p.get(i), p.get(i + 1)) {
            (Some(b'\\'), Some(b'*')) => (Some(b'*'), 2),
            (Some(&c), _) => (Some(c), 1),
            (None, _) => (None, 0),
        };
        if literal == Some(n[j]) {
            i += taken;
            j += 1;
        } else if let Some((resume, end)) = star
            && end < n.len()
        {
            // The star takes one more character.
            let end = end + char_len(n[end]);
            star = Some((resume, end));
            i = resume;
            j = end;
        } else {
            return false;
        }
    }
    i == p.len()
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_stars_stand_for_one_or_more_characters() {
        assert!(glob("New*ReplicaClient", "NewS3ReplicaClient"));
        assert!(!glob("New*ReplicaClient", "NewReplicaClient"));
        assert!(glob("*/replica_client.go]", "S3[s3/replica_client.go]"));
        assert!(glob("RC --> *", "RC --> S3"));
        assert!(!glob("RC --> *", "RC --> "));
        assert!(glob("a*b*c", "axbyc"));
        assert!(!glob("a*b*c", "abc"));
        assert!(glob("exact", "exact") && !glob("exact", "exactly"));
        assert!(glob("*[*]", "Ü[x]") && glob("New*Replica*Client", "NewÜReplicaXClient"));
        assert!(glob("a**b", "axyb") && !glob("a**b", "axb"));
        assert!(glob("\\* [*](docs/*.md)", "* [OSS](docs/OSS.md)"));
        assert!(!glob("\\* [*](docs/*.md)", "  * [OSS](docs/OSS.md)"));
        assert!(glob("a\\b", "a\\b") && glob("*", "é") && !glob("*", "") && glob("", ""));
        assert!(glob("*x*x", "axbxcx") && !glob("*x*x", "xx") && glob("**", "éé"));
        assert!(!glob("**", "é") && !glob("New**Client", "NewéClient") && glob("New**Client", "NewééClient"));
        assert!(glob("*é", "aé") && !glob("*é", "é") && glob("a*", "a🦀"));
        // Many stars against a long name: no exponential walk.
        let long = "a".repeat(2000);
        assert!(!glob(&format!("{}b", "*a".repeat(20)), &long));
        assert!(glob(&format!("{}b", "*a".repeat(20)), &format!("{long}b")));
    }
}
