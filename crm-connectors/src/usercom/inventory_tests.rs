//! The inventory from a fixed export directory, from nothing, and from the emulator's API.

use super::*;

fn names(inv: &UsercomInventory, kind: InventoryKind) -> Vec<String> {
    inv.section(kind)
        .unwrap()
        .items
        .iter()
        .map(|i| i.name.clone())
        .collect()
}

fn export_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let w = |f: &str, s: &str| std::fs::write(dir.path().join(f), s).unwrap();
    w("users.csv", "\u{feff}id,email,segments\r\n1,a@x.example,\"{\"\"Active, EU\"\",VIP}\"\r\n2,b@x.example,{VIP}\r\n3,,{}\r\n");
    w(
        "segments.csv",
        "id,name,conditions\n7,VIP,\"{\"\"score\"\": {\"\"gt\"\": 100}}\"\n",
    );
    w(
        "automations.csv",
        "id,name,status,trigger\n1,Welcome series,active,user_registered\n2,,paused,\n",
    );
    w(
        "integrations.csv",
        "id,name,api_key,webhook_url\n1,Zapier,zap-secret-123,https://hooks.example/1\n",
    );
    w(
        "attributes.csv",
        "id,name,name_std,value_type,content_type\n1,Plan,plan,fixed,clientuser\n",
    );
    dir
}

#[tokio::test]
async fn a_fixed_export_dir_is_inventoried_with_a_checklist() {
    let dir = export_dir();
    let inv = inventory(None, Some(dir.path())).await.unwrap();
    assert_eq!(inv.sections.len(), InventoryKind::ALL.len());
    assert_eq!(
        names(&inv, InventoryKind::Automation),
        vec!["Welcome series", "(unnamed)"]
    );
    let welcome = &inv.section(InventoryKind::Automation).unwrap().items[0];
    assert_eq!(
        (welcome.status.as_deref(), welcome.trigger.as_deref()),
        (Some("active"), Some("user_registered"))
    );
    // Segments: the definition file, completed with member counts from users.csv.
    assert_eq!(
        names(&inv, InventoryKind::Segment),
        vec!["VIP", "Active, EU"]
    );
    let seg = inv.section(InventoryKind::Segment).unwrap();
    assert_eq!(
        seg.items[0].conditions.as_deref(),
        Some(r#"{"score": {"gt": 100}}"#)
    );
    assert_eq!(seg.items[0].details["members in export"], "2");
    assert_eq!(seg.items[1].details["members in export"], "1");
    assert!(seg.items[1].details["conditions"].contains("not in the export"));
    assert_eq!(seg.sources.len(), 2, "{:?}", seg.sources);
    // Secrets never reach the report.
    let zap = &inv.section(InventoryKind::Integration).unwrap().items[0];
    assert!(zap.details["api_key"].starts_with("(hidden"));
    assert_eq!(names(&inv, InventoryKind::Attribute), vec!["Plan"]);

    inv.write(dir.path()).unwrap();
    let md = std::fs::read_to_string(dir.path().join("inventory.md")).unwrap();
    assert!(!md.contains("zap-secret-123"));
    assert!(md.contains("## Automations (2)"), "{md}");
    assert!(
        md.contains("- **Welcome series** (id 1) — status: active; trigger: user_registered"),
        "{md}"
    );
    assert!(md.contains("## Checklist"));
    for must in [
        "Screenshot every automation flow",
        "HTML",
        "VAPID",
        "credentials",
        "tracking snippet",
        "Twenty views",
    ] {
        assert!(md.contains(must), "checklist lacks {must}");
    }
    let json: UsercomInventory =
        serde_json::from_slice(&std::fs::read(dir.path().join("inventory.json")).unwrap()).unwrap();
    assert_eq!(json, inv);
}

#[tokio::test]
async fn with_no_source_every_section_says_to_capture_by_hand() {
    let inv = inventory(None, None).await.unwrap();
    for s in &inv.sections {
        assert!(s.items.is_empty());
        assert!(s.sources[0].contains("list them from the User.com app"));
    }
    assert!(inv
        .to_markdown()
        .contains("- [ ] **Web push setups** (0 found)"));
}

#[tokio::test]
async fn items_past_the_cap_are_counted_not_listed() {
    let dir = export_dir();
    let config = InventoryConfig::default().with_max_items(1);
    let inv = inventory_with(None, Some(dir.path()), &config)
        .await
        .unwrap();
    let a = inv.section(InventoryKind::Automation).unwrap();
    assert_eq!((a.items.len(), a.more), (1, 1));
    assert!(inv.to_markdown().contains("… and 1 more not listed"));
}

#[cfg(feature = "emulators")]
#[tokio::test]
async fn the_emulators_api_and_the_sample_export_are_inventoried_together() {
    use crate::usercom::emulator::{UsercomEmulator, UsercomEmulatorConfig};
    use crate::usercom::{generate, UsercomApiConfig};
    let emu = UsercomEmulator::start(UsercomEmulatorConfig::new(60, 5))
        .await
        .unwrap();
    let api = UsercomApiSource::new(
        UsercomApiConfig::new(emu.url(), emu.api_key().into()).with_rate_limit(None, 1),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 60, 5).unwrap();
    let inv = inventory(Some(&api), Some(dir.path())).await.unwrap();
    assert_eq!(
        names(&inv, InventoryKind::Automation),
        vec!["Welcome series", "Abandoned cart, 1h"]
    );
    assert_eq!(names(&inv, InventoryKind::EmailTemplate).len(), 2);
    let campaigns = inv.section(InventoryKind::Campaign).unwrap();
    assert_eq!(campaigns.items[1].trigger.as_deref(), Some("web_push"));
    assert_eq!(
        campaigns.items[0].details["scheduled_at"],
        "2021-03-01T09:00:00Z"
    );
    // Unconfirmed endpoints the account lacks are noted, not fatal.
    let push = inv.section(InventoryKind::WebPush).unwrap();
    assert!(push.items.is_empty());
    assert!(
        push.sources[0].contains("UNCONFIRMED") && push.sources[0].contains("not available"),
        "{:?}",
        push.sources
    );
    // Segments from the API, completed (not repeated) from the export's users.csv.
    let seg = inv.section(InventoryKind::Segment).unwrap();
    assert_eq!(
        names(&inv, InventoryKind::Segment),
        vec!["Active, EU", "Newsletter", "Trial users"]
    );
    let members = emu.count("segments/1/users/").unwrap().to_string();
    assert_eq!(seg.items[0].details["object_count"], members);
    assert_eq!(seg.items[0].details["members in export"], members);
    assert_eq!(seg.sources[0], "GET segments/: 3 items");
    // Attributes from both, merged by name.
    assert_eq!(names(&inv, InventoryKind::Attribute).len(), 10);
}
