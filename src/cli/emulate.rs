//! `crm-migrate emulate`: serve a platform's emulator on 127.0.0.1 so a person can rehearse
//! a migration offline and outside tools can run against it.

use std::path::PathBuf;
use std::time::Duration;

use crm_migrate::connectors::twenty::emulator::{EmulatorConfig, Fault, Profile, TwentyEmulator};
use crm_migrate::connectors::usercom::emulator::{UsercomEmulator, UsercomEmulatorConfig};

use super::{Usage, EXIT_OK};

/// Arguments of `emulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct EmulateArgs {
    /// Platform to emulate: `twenty` or `usercom`.
    platform: String,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Rate limit as `N/min` (or `N/s`); over it the emulator answers as the platform does.
    #[arg(long)]
    rate_limit: Option<String>,
    /// Scripted faults served in order, e.g. `429:retry=1x3,503x2,commit-drop`.
    #[arg(long)]
    faults: Option<String>,
    /// Twenty: workspace members to seed (`email,first_name,last_name` CSV).
    #[arg(long)]
    members: Option<PathBuf>,
    /// Twenty: which recorded server to answer like: `v2` (Twenty v2.21, the default) or `v1`
    /// (the v1.4-era server of the first recordings).
    #[arg(long, default_value = "v2")]
    profile: String,
    /// User.com: users in the seeded account.
    #[arg(long, default_value_t = 1000)]
    records: usize,
}

fn parse_rate(spec: &str) -> anyhow::Result<(u32, Duration)> {
    let (n, per) = spec
        .split_once('/')
        .ok_or_else(|| Usage(format!("rate limit {spec:?} must look like 100/min")))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| Usage(format!("rate limit {spec:?}: {n:?} is not a number")))?;
    let window = match per.trim() {
        "min" | "m" | "minute" => Duration::from_secs(60),
        "s" | "sec" | "second" => Duration::from_secs(1),
        other => {
            return Err(Usage(format!(
                "rate limit {spec:?}: unknown unit {other:?} (min or s)"
            ))
            .into())
        }
    };
    Ok((n, window))
}

pub(crate) async fn emulate(a: EmulateArgs) -> anyhow::Result<u8> {
    let rate = a.rate_limit.as_deref().map(parse_rate).transpose()?;
    match a.platform.as_str() {
        "twenty" => {
            let profile: Profile = a.profile.parse().map_err(Usage)?;
            let mut config = EmulatorConfig::default().with_profile(profile);
            if let Some((n, window)) = rate {
                config = config.with_rate_limit(n, window);
            }
            let emu = TwentyEmulator::start_on(a.port, config).await?;
            if let Some(spec) = &a.faults {
                for f in Fault::parse_script(spec).map_err(Usage)? {
                    emu.push_fault(f);
                }
            }
            if let Some(path) = &a.members {
                let mut r = csv::Reader::from_path(path)?;
                for rec in r.records() {
                    let rec = rec?;
                    emu.seed_member(
                        rec.get(0).unwrap_or(""),
                        rec.get(1).unwrap_or(""),
                        rec.get(2).unwrap_or(""),
                    );
                }
            }
            println!("Twenty emulator listening on {}", emu.url());
            println!("Test API key (emulator only): {}", emu.api_key());
            println!(
                "Use it with: TWENTY_API_KEY=<key> crm-migrate run … --to twenty:{}",
                emu.url()
            );
            println!(
                "Answers like Twenty {} (--profile v1|v2).",
                match profile {
                    Profile::V1 => "v1.4",
                    Profile::V2 => "v2.21",
                }
            );
            tokio::signal::ctrl_c().await?;
            emu.shutdown();
        }
        "usercom" => {
            if a.profile != "v2" {
                return Err(Usage("--profile is available for twenty only".into()).into());
            }
            if a.faults.is_some() || rate.is_some() {
                return Err(Usage(
                    "--faults and --rate-limit are available for twenty only".into(),
                )
                .into());
            }
            let mut config = UsercomEmulatorConfig::default();
            config.records = a.records;
            let emu = UsercomEmulator::start_on(a.port, config).await?;
            println!("User.com emulator listening on {}", emu.url());
            println!("Test API key (emulator only): {}", emu.api_key());
            println!("Use it with: USERCOM_API_KEY=<key> crm-migrate discover --from usercom --input {} …", emu.url());
            tokio::signal::ctrl_c().await?;
        }
        other => {
            return Err(Usage(format!("no emulator for {other:?}: use twenty or usercom")).into())
        }
    }
    Ok(EXIT_OK)
}
