//! Tests of [`CsvSource`] on the files CRM exports really produce.

use std::collections::HashSet;

use crm_core::{RawRecord, Source, SourceExt};
use futures::StreamExt;
use serde_json::Value as Json;

use super::*;

fn text<'a>(r: &'a RawRecord, field: &str) -> Option<&'a str> {
    r.fields.get(field).and_then(Json::as_str)
}

async fn all(src: &CsvSource, object: &str) -> Vec<RawRecord> {
    src.stream(object).map(|r| r.unwrap()).collect().await
}

/// Windows-1250 bytes of the Polish letters used below (the rest is ASCII). encoding_rs is
/// not a dependency of this crate, and these are the code page's published values.
fn cp1250(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            'ą' => 0xB9,
            'ć' => 0xE6,
            'ę' => 0xEA,
            'ł' => 0xB3,
            'Ł' => 0xA3,
            'ń' => 0xF1,
            'ó' => 0xF3,
            'ś' => 0x9C,
            'Ś' => 0x8C,
            'ź' => 0x9F,
            'ż' => 0xBF,
            'Ż' => 0xAF,
            c if c.is_ascii() => c as u8,
            c => panic!("no cp1250 byte for {c}"),
        })
        .collect()
}

#[tokio::test]
async fn bom_crlf_quoted_newlines_and_legacy_code_pages() {
    let dir = tempfile::tempdir().unwrap();
    // UTF-8 with a BOM, CRLF line ends, a quoted line break, a quoted comma and quote.
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(
        "id,name,notes\r\n7,Zażółć,\"line one\r\nline two\"\r\n8,\"Smith, \"\"J\"\"\",\r\n"
            .as_bytes(),
    );
    std::fs::write(dir.path().join("users.csv"), utf8).unwrap();
    // Windows-1250 without a BOM, as Polish Excel saves it.
    let polish = "id;miasto;opis\r\n\
        1;Łódź;Zażółć gęślą jaźń\r\n\
        2;Kraków;\"Święto, \r\nśnieg\"\r\n\
        3;Gdańsk;Żółw źle śpi\r\n\
        4;Wrocław;Łąka i ćma\r\n\
        5;Poznań;Ślęża\r\n";
    std::fs::write(dir.path().join("miasta.csv"), cp1250(polish)).unwrap();
    // UTF-16LE with a BOM.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "id,city\n1,Zürich\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(dir.path().join("cities.csv"), utf16).unwrap();
    std::fs::write(dir.path().join("readme.txt"), "not a table").unwrap();

    let src = CsvSource::open(dir.path(), "smartcrm").unwrap();
    assert_eq!(src.objects().await.unwrap(), ["cities", "miasta", "users"]);

    assert_eq!(src.encoding("users"), Some("UTF-8"));
    assert_eq!(
        src.file_info("users").unwrap().encoding_source,
        EncodingSource::Bom
    );
    assert_eq!(src.file_info("users").unwrap().decoded_copy, None);
    let users = all(&src, "users").await;
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].key.id, "7");
    assert_eq!(users[0].key.system, "smartcrm");
    assert_eq!(src.columns("users").unwrap(), ["id", "name", "notes"]);
    assert_eq!(text(&users[0], "name"), Some("Zażółć"));
    assert_eq!(text(&users[0], "notes"), Some("line one\r\nline two"));
    assert_eq!(text(&users[1], "name"), Some("Smith, \"J\""));
    assert!(
        !users[1].fields.contains_key("notes"),
        "empty cells are left out"
    );

    assert_eq!(src.encoding("miasta"), Some("windows-1250"));
    let info = src.file_info("miasta").unwrap();
    assert_eq!(info.encoding_source, EncodingSource::Guessed);
    assert!(!info.replaced);
    let copy = info.decoded_copy.clone().unwrap();
    assert!(copy.exists());
    let miasta = all(&src, "miasta").await;
    assert_eq!(miasta.len(), 5, "the semicolon delimiter was sniffed");
    assert_eq!(text(&miasta[0], "miasto"), Some("Łódź"));
    assert_eq!(text(&miasta[0], "opis"), Some("Zażółć gęślą jaźń"));
    assert_eq!(text(&miasta[1], "opis"), Some("Święto, \r\nśnieg"));
    assert_eq!(miasta[4].key.id, "5");

    assert_eq!(src.encoding("cities"), Some("UTF-16LE"));
    let cities = all(&src, "cities").await;
    assert_eq!(text(&cities[0], "city"), Some("Zürich"));

    drop(src);
    assert!(!copy.exists(), "the decoded copy goes with the source");
}

/// The reason of a damaged record (panics on a good one).
fn why(r: &RawRecord) -> &str {
    r.damage()
        .unwrap_or_else(|| panic!("{} is not damaged: {:?}", r.key, r.fields))
}

#[tokio::test]
async fn ragged_rows_are_damaged_records_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let body = "Email,,Name\n\
        a@x.com,c,Ann\n\
        d@x.com\n\
        e@x.com,g,Eve,extra one\n\
        ,,\n\
        \n\
        h@x.com,,Hal\n";
    std::fs::write(dir.path().join("people.csv"), body).unwrap();
    let src = CsvSource::open(dir.path(), "x").unwrap();
    assert_eq!(
        src.columns("people").unwrap(),
        ["Email", "column_2", "Name"]
    );
    let rows = all(&src, "people").await;
    let ids: Vec<&str> = rows.iter().map(|r| r.key.id.as_str()).collect();
    assert_eq!(
        ids,
        ["1", "line-3", "line-4", "4", "5"],
        "good rows keep their row number; damaged ones are keyed by line"
    );
    assert_eq!(rows[0].damage(), None);
    assert_eq!(text(&rows[0], "column_2"), Some("c"));
    // Short row: damaged, with what it had for the report.
    assert!(
        why(&rows[1]).starts_with("people.csv line 3: 1 cell(s) where the header has 3 columns"),
        "{}",
        why(&rows[1])
    );
    assert_eq!(text(&rows[1], "Email"), Some("d@x.com"));
    // Long row: damaged; the extra cell is kept, named, for the report.
    assert!(
        why(&rows[2]).contains("people.csv line 4: 4 cells where the header has 3 columns"),
        "{}",
        why(&rows[2])
    );
    assert_eq!(text(&rows[2], "_extra_1"), Some("extra one"));
    // A row of empty cells is still a record; the blank line is not a row.
    assert!(rows[3].fields.is_empty() && rows[3].damage().is_none());
    assert_eq!(text(&rows[4], "Name"), Some("Hal"));
    let keys: Vec<&str> = rows[0].fields.keys().map(String::as_str).collect();
    assert_eq!(keys, ["Email", "column_2", "Name"], "column order");
}

#[tokio::test]
async fn a_broken_quote_is_one_damaged_record_and_the_rows_after_it_load() {
    let dir = tempfile::tempdir().unwrap();
    // Line 3 opens a quote it never closes; it runs on to the quote opening line 4's JSON.
    let body = "id,name,company\r\n\
        1,Ann,Acme\r\n\
        2,\"Bob,Beta\r\n\
        3,Cy,\"{\"\"id\"\": 3}\"\r\n\
        4,Dee,\"Delta, Inc.\"\r\n";
    std::fs::write(dir.path().join("users.csv"), body).unwrap();
    // A quote never closed swallows the rest of the file.
    std::fs::write(
        dir.path().join("notes.csv"),
        "id,title,body\n1,a,\"fine\nover two lines\"\n2,b,\"never closed\n3,c,x\n4,d,y\n",
    )
    .unwrap();
    let src = CsvSource::open(dir.path(), "x").unwrap();
    let rows = all(&src, "users").await;
    let ids: Vec<&str> = rows.iter().map(|r| r.key.id.as_str()).collect();
    assert_eq!(ids, ["1", "line-3", "4"]);
    assert!(
        why(&rows[1])
            .starts_with("users.csv lines 3-4: the quote that opens column \"name\" on line 3"),
        "{}",
        why(&rows[1])
    );
    assert_eq!(
        text(&rows[2], "company"),
        Some("Delta, Inc."),
        "no shift after it"
    );
    assert_eq!(text(&rows[2], "name"), Some("Dee"));

    let (notes, _) = src.read_rows("notes", None, 100).unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(
        notes[0].0.damage(),
        None,
        "a closed multi-line cell is fine"
    );
    assert_eq!((notes[0].1.first_line, notes[0].1.last_line), (2, 3));
    assert_eq!(
        notes[1].0.key.id, "line-4",
        "a row read wrong is keyed by its line, even when its id cell looks fine"
    );
    assert!(
        why(&notes[1].0)
            .contains("lines 4-6: the quote that opens column \"body\" on line 4 is never closed"),
        "{}",
        why(&notes[1].0)
    );
    assert_eq!((notes[1].1.first_line, notes[1].1.last_line), (4, 6));
}

#[tokio::test]
async fn old_mac_line_ends_count_as_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mac.csv"),
        "id,name,city\r1,Ann,Oslo\r2,Bob\r3,\"Cy\rZ\",Rome\r4,Dee,Bergen\r",
    )
    .unwrap();
    let src = CsvSource::open(dir.path(), "x").unwrap();
    let (rows, _) = src.read_rows("mac", None, 100).unwrap();
    let lines: Vec<(u64, u64)> = rows
        .iter()
        .map(|(_, s)| (s.first_line, s.last_line))
        .collect();
    assert_eq!(lines, [(2, 2), (3, 3), (4, 5), (6, 6)]);
    assert_eq!(rows[1].0.key.id, "line-3");
    assert!(why(&rows[1].0).starts_with("mac.csv line 3: 2 cell(s)"));
    // Page by page (one row a page), the lines are the same.
    let (mut paged, mut cursor) = (Vec::new(), None);
    loop {
        let (page, next) = src.read_rows("mac", cursor.take(), 1).unwrap();
        paged.extend(page);
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(paged, rows);
    let all_rows = all(&src, "mac").await;
    assert_eq!(all_rows.len(), 4);
    assert_eq!(text(&all_rows[3], "city"), Some("Bergen"));
}

#[tokio::test]
async fn invalid_bytes_damage_their_row_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = "id,name,city\n1,Zażółć,Łódź\n2,Ann,".as_bytes().to_vec();
    body.extend_from_slice(&[0xFF, 0xFE, 0xC3, 0x28]);
    body.extend_from_slice("\n3,Gęś,Kraków\n".as_bytes());
    std::fs::write(dir.path().join("people.csv"), &body).unwrap();
    let src = CsvSource::open(dir.path(), "x").unwrap();
    let info = src.file_info("people").unwrap();
    assert_eq!((info.encoding, info.invalid_sequences), ("UTF-8", 3));
    assert!(info.replaced && info.decoded_copy.is_none());
    let rows = all(&src, "people").await;
    assert_eq!(rows.len(), 3);
    assert_eq!(
        text(&rows[0], "name"),
        Some("Zażółć"),
        "still read as UTF-8"
    );
    assert_eq!(
        rows[1].key.id, "2",
        "its cells are in place: the id is trusted"
    );
    assert!(
        why(&rows[1])
            .starts_with("people.csv line 3: column \"city\" holds bytes that are not valid UTF-8"),
        "{}",
        why(&rows[1])
    );
    assert_eq!(text(&rows[2], "city"), Some("Kraków"));
}

#[tokio::test]
async fn whole_file_problems_are_input_errors_naming_file_and_line() {
    let cases: [(&str, &[u8], &str); 6] = [
        ("empty", b"", "line 1: the file is empty"),
        (
            "blank",
            b"\xEF\xBB\xBF\r\n\r\n",
            "line 1: the file is empty",
        ),
        (
            "blanks",
            b"\n , ,\n1,2,3\n",
            "line 2: the header line has no column names",
        ),
        (
            "dupes",
            b"id,Email,email\n1,a,b\n",
            "line 1: the header line names a column more than once",
        ),
        (
            "noheader",
            b"7,Ann,ann@x.com\n8,Bob,bob@x.com\n",
            "line 1: the first line looks like a data row",
        ),
        (
            "quote",
            b"id,\"name\n1,x\n",
            "line 1: the header line has a quote that is not closed on that line (the header runs over lines 1-2)",
        ),
    ];
    for (name, bytes, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(format!("{name}.csv")), bytes).unwrap();
        std::fs::write(dir.path().join("good.csv"), "id,x\n1,a\n").unwrap();
        let src = CsvSource::open(dir.path(), "x").unwrap();
        for err in [
            src.objects().await.unwrap_err(),
            src.read_page("good", None).await.unwrap_err(),
            src.check().unwrap_err(),
        ] {
            assert_eq!(err.kind(), crm_core::ErrorKind::Input, "{name}: {err}");
            let file = dir.path().join(format!("{name}.csv"));
            assert!(
                err.message()
                    .contains(&format!("{} {expected}", file.display())),
                "{name}: {err}"
            );
        }
    }
    // Every unreadable file is named at once.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), "").unwrap();
    std::fs::write(dir.path().join("b.csv"), "x,X\n1,2\n").unwrap();
    let err = CsvSource::open(dir.path(), "x")
        .unwrap()
        .check()
        .unwrap_err();
    assert!(
        err.message().starts_with("2 files cannot be read: ")
            && err.message().contains("a.csv line 1: the file is empty")
            && err
                .message()
                .contains("b.csv line 1: the header line names a column more than once"),
        "{err}"
    );
    // A header alone is a file with no rows, not a problem.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deals.csv"), "id,title\r\n").unwrap();
    let src = CsvSource::open(dir.path(), "x").unwrap();
    assert!(all(&src, "deals").await.is_empty());
}

#[tokio::test]
async fn pipes_and_windows_1252_with_semicolons_are_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), "id|name|note\n1|Ann|a, b; c\n").unwrap();
    // Windows-1252: é = E9, ü = FC, ß = DF.
    let mut w = b"id;name;city\r\n1;Ren".to_vec();
    w.extend_from_slice(&[0xE9]);
    w.extend_from_slice(b";M");
    w.extend_from_slice(&[0xFC]);
    w.extend_from_slice(b"nchen\r\n2;Stra");
    w.extend_from_slice(&[0xDF]);
    w.extend_from_slice(b"er;K");
    w.extend_from_slice(&[0xF6]);
    w.extend_from_slice(b"ln\r\n");
    std::fs::write(dir.path().join("b.csv"), w).unwrap();
    let src = CsvSource::open(dir.path(), "x").unwrap();
    let a = all(&src, "a").await;
    assert_eq!(text(&a[0], "note"), Some("a, b; c"));
    assert_eq!(src.encoding("b"), Some("windows-1252"));
    let b = all(&src, "b").await;
    assert_eq!(b.len(), 2);
    assert_eq!(text(&b[0], "name"), Some("René"));
    assert_eq!(text(&b[0], "city"), Some("München"));
    assert_eq!(text(&b[1], "city"), Some("Köln"));
}

#[tokio::test]
async fn two_thousand_rows_page_without_gaps_or_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::from("ID,name,bio\r\n");
    for i in 1..=2000 {
        if i % 7 == 0 {
            body.push_str(&format!("c{i},Name {i},\"multi\r\nline, {i}\"\r\n"));
        } else {
            body.push_str(&format!("c{i},Name {i},plain {i}\r\n"));
        }
    }
    std::fs::write(dir.path().join("contacts.csv"), body).unwrap();
    let src = CsvSource::open(dir.path(), "karmacrm").unwrap();

    let mut cursor = None;
    let mut pages = 0;
    let mut seen = Vec::new();
    loop {
        let page = src.read_page("contacts", cursor.take()).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= PAGE_SIZE);
        seen.extend(page.items);
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(
        pages, 4,
        "2,000 rows are exactly four pages, no empty fifth"
    );
    assert_eq!(seen.len(), 2000);
    let unique: HashSet<&str> = seen.iter().map(|r| r.key.id.as_str()).collect();
    assert_eq!(unique.len(), 2000);
    for (i, r) in seen.iter().enumerate() {
        let n = i + 1;
        assert_eq!(r.key.id, format!("c{n}"), "the ID column is the key");
        assert_eq!(text(r, "name"), Some(format!("Name {n}").as_str()));
    }
    assert_eq!(text(&seen[6], "bio"), Some("multi\r\nline, 7"));
    // Line numbers stay right across pages (every 7th row takes two lines).
    let mut cursor = None;
    let mut i = 0u64;
    loop {
        let (rows, next) = src.read_rows("contacts", cursor.take(), PAGE_SIZE).unwrap();
        for (_, span) in rows {
            i += 1;
            let first = 2 + (i - 1) + (i - 1) / 7;
            assert_eq!(span.first_line, first, "row {i}");
            assert_eq!(
                span.last_line,
                first + u64::from(i.is_multiple_of(7)),
                "row {i}"
            );
        }
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(i, 2000);
    assert_eq!(
        all(&src, "contacts").await,
        seen,
        "stream gives the same records"
    );
}

#[tokio::test]
async fn id_columns_can_be_named_and_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("deals.csv"),
        "Deal No;Title\n D-1 ;First\n;Second\n",
    )
    .unwrap();
    let src = CsvSource::open(dir.path(), "x")
        .unwrap()
        .with_id_column("deals", "deal no");
    let rows = all(&src, "deals").await;
    assert_eq!(rows[0].key.id, "D-1");
    assert_eq!(rows[1].key.id, "row-2", "an empty id falls back to the row");

    let src = src.with_id_column("deals", "Number");
    let err = src.read_page("deals", None).await.unwrap_err();
    assert!(err.message().contains("Number"), "{err}");
    let err = src.read_page("nope", None).await.unwrap_err();
    assert_eq!(err.kind(), crm_core::ErrorKind::NotFound);
    assert!(src.read_page("deals", Some("junk".into())).await.is_err());

    std::fs::write(
        dir.path().join("excel.csv"),
        "sep=;\r\nid;name\r\n9;Ann\r\n",
    )
    .unwrap();
    let excel = CsvSource::open(dir.path(), "x").unwrap();
    let rows = all(&excel, "excel").await;
    assert_eq!((rows.len(), rows[0].key.id.as_str()), (1, "9"));
    assert_eq!(text(&rows[0], "name"), Some("Ann"));

    let tabs = CsvSource::open(dir.path(), "x")
        .unwrap()
        .with_delimiter("deals", b'\t');
    assert_eq!(tabs.columns("deals").unwrap(), ["Deal No;Title"]);
}

#[test]
fn opening_a_file_instead_of_a_directory_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.csv");
    std::fs::write(&file, "id\n1\n").unwrap();
    assert!(CsvSource::open(&file, "x").is_err());
}

#[tokio::test]
async fn discovery_profiles_a_csv_export() {
    use crm_transform::discover::{discover, InferredType};
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::from("ID;Name;Done;Due;Amount\r\n");
    for i in 1..=40 {
        let done = if i % 3 == 0 { "Yes" } else { "No" };
        body.push_str(&format!(
            "{i};Task {i};{done};{:02}/03/2024;{i},50 zł\r\n",
            i % 28 + 1
        ));
    }
    body.push_str("41;Late;No;;\r\n");
    std::fs::write(dir.path().join("Activities.csv"), cp1250(&body)).unwrap();
    let src = CsvSource::open(dir.path(), "smartcrm").unwrap();
    let d = discover(&src, &[], None).await.unwrap();
    let o = d.object("Activities").unwrap();
    assert_eq!(src.encoding("Activities"), Some("windows-1250"));
    assert_eq!(o.count, 41);
    let ty = |n: &str| o.fields.iter().find(|f| f.name == n).unwrap().inferred;
    assert_eq!(ty("ID"), InferredType::Integer);
    assert_eq!(ty("Done"), InferredType::Boolean);
    assert_eq!(ty("Due"), InferredType::Date);
    assert_eq!(ty("Amount"), InferredType::Money);
    let due = o.fields.iter().find(|f| f.name == "Due").unwrap();
    assert_eq!(due.date_order.as_deref(), Some("day_first"));
}
