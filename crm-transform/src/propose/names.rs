//! Name normalisation: how source column and object names are compared, and how custom
//! field names, labels and option values are made from them.

/// Folds common accented Latin letters to ASCII (`ł` → `l`, `é` → `e`, `ß` → `ss`).
fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ă' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => "o",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
    }
}

/// Words of a name: camelCase and letter/digit boundaries split, accents folded,
/// punctuation, spaces and underscores dropped, lower case (`E-mail Address` → `e mail
/// address`, `firstName` → `first name`, `HTTPStatus2` → `http status 2`).
pub(crate) fn tokens(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let lower: String = c.to_lowercase().collect();
        let folded = lower.chars().next().map(fold).unwrap_or("");
        let alnum = c.is_ascii_alphanumeric() || !folded.is_empty();
        if !alnum {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase() && c.is_uppercase() && next_lower)
                || (prev.is_ascii_digit() != c.is_ascii_digit() && prev.is_alphanumeric());
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        if folded.is_empty() {
            cur.push_str(&lower);
        } else {
            cur.push_str(folded);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A name as one lower-case ASCII word (`E-mail Address` → `emailaddress`).
pub(crate) fn compact(name: &str) -> String {
    tokens(name).concat()
}

/// English singular of a compact object name (`companies` → `company`, `people` →
/// `person`, `statuses` → `status`).
pub(crate) fn singular(word: &str) -> String {
    if word == "people" {
        return "person".into();
    }
    if word == "staff" {
        return word.into();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for end in ["sses", "uses", "xes", "ches", "shes"] {
        if word.ends_with(end) {
            return word[..word.len() - 2].to_string();
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.is_empty() => stem.to_string(),
        _ => word.to_string(),
    }
}

/// A Twenty-valid custom field name: camelCase, starting with a lower-case letter, ASCII
/// letters and digits only, at most 63 characters (`Notes blob` → `notesBlob`).
pub fn camel_name(source: &str) -> String {
    let mut out = String::new();
    for (i, t) in tokens(source).iter().enumerate() {
        let mut cs = t.chars();
        if let Some(first) = cs.next() {
            if i == 0 {
                out.push(first);
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(cs.as_str());
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out = format!("field{}", capitalise(&out));
    }
    out.chars().take(63).collect()
}

/// A label from a source name: as written with its first letter capitalised (`gender` →
/// `Gender`), or in words for a code-style name (`approx_employees` → `Approx employees`,
/// `lastSeen` → `Last seen`).
pub fn label_of(source: &str) -> String {
    let trimmed = source.trim();
    let code_style = trimmed.contains('_')
        || (!trimmed.contains(' ') && trimmed.chars().skip(1).any(char::is_uppercase));
    if !code_style {
        return capitalise(trimmed);
    }
    capitalise(&tokens(trimmed).join(" "))
}

fn capitalise(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// A select option value: UPPER_SNAKE_CASE ASCII (`Enterprise plan` → `ENTERPRISE_PLAN`).
pub fn upper_snake(value: &str) -> String {
    tokens(value).join("_").to_uppercase()
}

/// Twenty's camelCase spelling of a canonical snake_case field name (`job_title` →
/// `jobTitle`), to keep custom names clear of standard ones.
pub(crate) fn camel_of_canonical(name: &str) -> String {
    camel_name(&name.replace('_', " "))
}

#[cfg(test)]
mod tests {
    use super::super::synonyms::object_target;
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(tokens("E-mail Address"), ["e", "mail", "address"]);
        assert_eq!(tokens("firstName"), ["first", "name"]);
        assert_eq!(tokens("HTTPStatus2"), ["http", "status", "2"]);
        assert_eq!(tokens("Miejscowość"), ["miejscowosc"]);
        assert_eq!(camel_name("Notes blob"), "notesBlob");
        assert_eq!(camel_name("approx_employees"), "approxEmployees");
        assert_eq!(camel_name("2nd phone"), "field2NdPhone");
        assert_eq!(label_of("approx_employees"), "Approx employees");
        assert_eq!(label_of("Plan"), "Plan");
        assert_eq!(label_of("gender"), "Gender");
        assert_eq!(label_of("Notes blob"), "Notes blob");
        assert_eq!(upper_snake("Enterprise plan"), "ENTERPRISE_PLAN");
        assert_eq!(singular("companies"), "company");
        assert_eq!(singular("people"), "person");
        assert_eq!(singular("statuses"), "status");
        for (name, target) in [
            ("users", Some("person")),
            ("Leads", Some("person")),
            ("organisations", Some("company")),
            ("opportunities", Some("opportunity")),
            ("meetings", Some("task")),
            ("notes", Some("note")),
            ("staff", Some("user")),
            ("invoices", None),
        ] {
            assert_eq!(object_target(name), target, "{name}");
        }
    }
}
