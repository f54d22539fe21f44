//! A backend's name as a word part of other names and text, in each casing
//! a tree writes it (`sftp`, `SFTP`, `Sftp`, `WebDAV`), and the rename of
//! those parts to another backend's name in the same casing. A leaf: the
//! `--like` planner decides where a rename applies (by syntax and scope);
//! this only finds the word parts.

/// One casing of a name and what it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub from: String,
    pub to: String,
    /// What it becomes in a name all in capitals (`APP_S3_KEY`),
    /// where `to` is not that (`S3` → `Wasabi`, but `WASABI` there).
    pub upper: Option<String>,
}

/// The forms of `sibling` (lower case, as a backend's type is) and what
/// each becomes for `new`: lower → `new_lower`, UPPER → UPPER, Title →
/// Title, and the tree's own spelling of the sibling as a Go name (`SFTP`,
/// `WebDAV`) → `new_go`. Longest first, so that `SFTP` is tried before
/// `Sftp` would half-match it.
pub fn forms(sibling: &str, sibling_go: &str, new_lower: &str, new_go: &str) -> Vec<Form> {
    let title = |s: &str| {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    };
    let shouty = new_lower.to_uppercase().replace('-', "_");
    let upper = (sibling_go == sibling.to_uppercase() && new_go != shouty).then(|| shouty.clone());
    let mut forms = vec![Form { from: sibling_go.to_string(), to: new_go.to_string(), upper }];
    for (from, to) in [
        (sibling.to_string(), new_lower.to_string()),
        (sibling.to_uppercase(), shouty.clone()),
        (title(sibling), title(new_lower)),
    ] {
        if !forms.iter().any(|f| f.from == from) {
            forms.push(Form { from, to, upper: None });
        }
    }
    forms.sort_by_key(|f| std::cmp::Reverse(f.from.len()));
    forms
}

/// Whether `text[at..at + len]`, one of the forms, stands as a word part:
/// at a start (the text's, after a character that is not a letter or digit,
/// or, for a part that starts upper case, after a lower-case letter or a
/// digit) and at an end (the text's, before a character that is not a
/// letter or digit, or an upper-case one — for an upper-case part, one
/// that starts a word, `SFTPClient` — or a digit after letters).
fn word_part(text: &str, at: usize, len: usize) -> bool {
    let part = &text[at..at + len];
    let before = text[..at].chars().next_back();
    let after: Vec<char> = text[at + len..].chars().take(2).collect();
    let first_upper = part.chars().next().is_some_and(char::is_uppercase);
    let all_upper = part.chars().all(|c| !c.is_lowercase());
    let starts = match before {
        None => true,
        Some(b) if !b.is_alphanumeric() => true,
        Some(b) => first_upper && (b.is_lowercase() || b.is_ascii_digit()),
    };
    let ends = match after.first() {
        None => true,
        Some(a) if !a.is_alphanumeric() => true,
        Some(a) if a.is_uppercase() => {
            // `SFTPClient`: the next word starts at C; `SFTPS` is another word.
            !all_upper || after.get(1).is_some_and(|n| n.is_lowercase())
        }
        // A letter or digit after it continues the word (`sftp2`, `s3manager`).
        Some(_) => false,
    };
    starts && ends
}

/// Each occurrence of a form in `text` that stands as a word part: its
/// byte offset and the form.
pub fn find<'f>(text: &str, forms: &'f [Form]) -> Vec<(usize, &'f Form)> {
    let mut found: Vec<(usize, &Form)> = Vec::new();
    for form in forms {
        for (at, _) in text.match_indices(form.from.as_str()) {
            let overlaps = found.iter().any(|(o, f)| at < o + f.from.len() && *o < at + form.from.len());
            if !overlaps && word_part(text, at, form.from.len()) {
                found.push((at, form));
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found
}

/// Whether `text` mentions the name in any form.
pub fn mentions(text: &str, forms: &[Form]) -> bool {
    !find(text, forms).is_empty()
}

/// `text` with each form that stands as a word part renamed.
pub fn rename(text: &str, forms: &[Form]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, form) in find(text, forms) {
        out.push_str(&text[last..at]);
        // In a name all in capitals, the capitals' form.
        let word_start = text[..at].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        let word_end = text[at..].find(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(text.len(), |i| at + i);
        let word = &text[word_start..word_end];
        let shouty = word.len() > form.from.len() && !word.chars().any(char::is_lowercase);
        match &form.upper {
            Some(upper) if shouty => out.push_str(upper),
            _ => out.push_str(&form.to),
        }
        last = at + form.from.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_renamed_where_it_is_a_word_part_in_the_casing_it_has() {
        let f = forms("sftp", "SFTP", "ftp", "FTP");
        let cases = [
            ("newSFTPReplicaClientFromConfig", "newFTPReplicaClientFromConfig"),
            ("sftpHost", "ftpHost"),
            ("package sftp", "package ftp"),
            ("\"sftp\"", "\"ftp\""),
            ("sftp://host/path", "ftp://host/path"),
            ("-sftp-host", "-ftp-host"),
            ("APP_SFTP_KEY", "APP_FTP_KEY"),
            ("SftpClient", "FtpClient"),
            ("sftps", "sftps"),
            ("SFTPS", "SFTPS"),
            ("xsftp", "xsftp"),
            ("NewSFTP", "NewFTP"),
        ];
        for (text, want) in cases {
            assert_eq!(rename(text, &f), want, "{text}");
        }
    }

    #[test]
    fn capitals_stay_capitals_and_a_longer_name_is_another() {
        let s3 = forms("s3", "S3", "wasabi", "Wasabi");
        assert_eq!(rename("LITESTREAM_S3_KEY newS3Client s3", &s3), "LITESTREAM_WASABI_KEY newWasabiClient wasabi");
        let sftp = forms("sftp", "SFTP", "sftp2", "SFTP2");
        assert_eq!(rename("sftp2Host sftpHost", &sftp), "sftp2Host sftp2Host");
        assert!(!mentions("sftp2 SFTP2", &forms("sftp", "SFTP", "x", "X")));
    }

    #[test]
    fn a_short_name_is_not_found_inside_other_words() {
        let s3 = forms("s3", "S3", "obs", "OBS");
        assert_eq!(
            rename("s3manager.NewUploader(s3Client, S3_BUCKET)", &s3),
            "s3manager.NewUploader(obsClient, OBS_BUCKET)"
        );
        let gs = forms("gs", "GS", "oss", "OSS");
        assert_eq!(rename("args, gs.ReplicaClient, GSClient, flags", &gs), "args, oss.ReplicaClient, OSSClient, flags");
        let webdav = forms("webdav", "WebDAV", "ftp", "FTP");
        assert_eq!(rename("newWebDAVClient webdavURL Webdav", &webdav), "newFTPClient ftpURL Ftp");
    }
}
