//! The command line. Every flag is also an environment variable (see `.env.example`).

use crate::startup;
use anyhow::Context;
use backend::config::{parse_trusted_proxies, resolve_secret_key, Bound, Config, NetworkBounds, RateLimits, Secret};
use backend::staff::audit::Actor;
use backend::{AppState, Store};
use clap::{Args, Parser, Subcommand, ValueEnum};
use domain::sampling::DisposalLimits;
use domain::staff::Role;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(name = "server", version, about = "食安绵阳 Food-Safe Mianyang portal")]
pub struct Cli {
    #[command(flatten)]
    pub opts: Opts,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

#[derive(Args, Debug, Clone)]
pub struct Opts {
    /// `sqlite://FILE` (created) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/portal.db",
        global = true,
        hide_env_values = true
    )]
    pub database_url: String,
    /// Listen address.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub site_addr: SocketAddr,
    /// Folder for the SQLite file, the generated secret key and uploads.
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Secret (≥ 32 characters) for cookies, encryption of personal data and voter HMACs; the same on every
    /// instance. Generated into the data folder when unset.
    #[arg(long, env = "PORTAL_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,
    /// CIDRs of reverse proxies whose `X-Forwarded-For` is believed.
    #[arg(long, env = "PORTAL_TRUSTED_PROXIES", default_value = "", global = true)]
    pub trusted_proxies: String,
    /// Where accepted cases are forwarded (HMAC-signed).
    #[arg(long, env = "PORTAL_WEBHOOK_URL", global = true)]
    pub webhook_url: Option<String>,
    #[arg(long, env = "PORTAL_WEBHOOK_SECRET", global = true, hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// SMS gateway for one-time codes (POST JSON `{phone, message}`); unset, SMS-verified rounds cannot open.
    /// Codes are never logged.
    #[arg(long, env = "PORTAL_SMS_URL", global = true)]
    pub sms_url: Option<String>,
    /// The secret the SMS gateway signs subscribers' replies with (退订/TD to `POST /api/v1/sms/inbound`).
    #[arg(long, env = "PORTAL_SMS_INBOUND_SECRET", global = true, hide_env_values = true)]
    pub sms_inbound_secret: Option<String>,
    /// The portal's public origin (`https://…`) for QR codes, feeds and links; unset, they follow the request's
    /// `Host` and are never publicly cached.
    #[arg(long, env = "PORTAL_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Cases filed per network (IPv4 /24, IPv6 /64), per minute and per day: `N/min,M/day`.
    #[arg(long, env = "PORTAL_BOUND_CASES", default_value_t = NetworkBounds::default().cases.to_string(), global = true)]
    pub bound_cases: String,
    /// Failed no-JavaScript report posts kept as drafts, per network.
    #[arg(long, env = "PORTAL_BOUND_DRAFTS", default_value_t = NetworkBounds::default().drafts.to_string(), global = true)]
    pub bound_drafts: String,
    /// 你点我检 nominations per network.
    #[arg(long, env = "PORTAL_BOUND_NOMINATIONS", default_value_t = NetworkBounds::default().nominations.to_string(), global = true)]
    pub bound_nominations: String,
    /// Businesses' replies per network.
    #[arg(long, env = "PORTAL_BOUND_REPLIES", default_value_t = NetworkBounds::default().replies.to_string(), global = true)]
    pub bound_replies: String,
    /// Satisfaction ratings of decided cases per network.
    #[arg(long, env = "PORTAL_BOUND_RATINGS", default_value_t = NetworkBounds::default().ratings.to_string(), global = true)]
    pub bound_ratings: String,
    /// Businesses' objections, credit repairs, re-inspection requests and waivers per network.
    #[arg(long, env = "PORTAL_BOUND_OBJECTIONS", default_value_t = NetworkBounds::default().objections.to_string(), global = true)]
    pub bound_objections: String,
    /// Cases each Open311 partner key may file, unless the partner has its own quota.
    #[arg(long, env = "PORTAL_OPEN311_QUOTA", default_value_t = NetworkBounds::default().open311.to_string(), global = true)]
    pub open311_quota: String,
    /// 你点我检 ballots per network.
    #[arg(long, env = "PORTAL_BOUND_BALLOTS", default_value_t = NetworkBounds::default().ballots.to_string(), global = true)]
    pub bound_ballots: String,
    /// SMS codes requested per network.
    #[arg(long, env = "PORTAL_BOUND_SMS", default_value_t = NetworkBounds::default().sms.to_string(), global = true)]
    pub bound_sms: String,
    /// 关注 by SMS: subscriptions asked for per network (each sends a code).
    #[arg(long, env = "PORTAL_BOUND_FOLLOWS", default_value_t = NetworkBounds::default().follows.to_string(), global = true)]
    pub bound_follows: String,
    /// 食安志愿者: sign-ups per network (phone confirmations and sign-ins counted apart against the same bound).
    #[arg(long, env = "PORTAL_BOUND_VOLUNTEERS", default_value_t = NetworkBounds::default().volunteers.to_string(), global = true)]
    pub bound_volunteers: String,
    /// 关注 alerts one phone may receive per day as they happen; the rest go into the evening's digest.
    #[arg(long, env = "PORTAL_FOLLOW_SMS_PER_PHONE_PER_DAY", default_value_t = NetworkBounds::default().follow_sms_per_phone_per_day, global = true)]
    pub follow_sms_per_phone_per_day: i64,
    /// Megabytes of evidence photos per network per day.
    #[arg(long, env = "PORTAL_BOUND_PHOTO_MB_PER_DAY", default_value_t = NetworkBounds::default().photo_mb_per_day, global = true)]
    pub bound_photo_mb_per_day: i64,
    /// New 你点我检 voter devices per network per round per hour.
    #[arg(long, env = "PORTAL_NEW_DEVICES_PER_NETWORK_HOUR", default_value_t = NetworkBounds::default().new_devices_per_hour, global = true)]
    pub new_devices_per_network_hour: i64,
    /// SMS messages the whole city may send per day (codes and notices); past it they are refused and staff see it.
    #[arg(long, env = "PORTAL_SMS_DAILY_BUDGET", default_value_t = NetworkBounds::default().sms_daily_budget, global = true)]
    pub sms_daily_budget: i64,
    /// SMS codes one phone number may receive per day.
    #[arg(long, env = "PORTAL_SMS_PER_PHONE_PER_DAY", default_value_t = NetworkBounds::default().sms_per_phone_per_day, global = true)]
    pub sms_per_phone_per_day: i64,
    /// 核查处置: working days to notify the business of a failing result (食品安全抽样检验管理办法).
    #[arg(long, env = "PORTAL_DISPOSAL_CHECK_DAYS", default_value_t = DisposalLimits::default().check_working_days, global = true)]
    pub disposal_check_days: i64,
    /// 核查处置: working days after the notice to take the food off sale or recall it.
    #[arg(long, env = "PORTAL_DISPOSAL_CONTROL_DAYS", default_value_t = DisposalLimits::default().control_working_days, global = true)]
    pub disposal_control_days: i64,
    /// 核查处置: working days after the notice the business may ask for a retest (食品安全抽样检验管理办法).
    #[arg(long, env = "PORTAL_DISPOSAL_RETEST_DAYS", default_value_t = DisposalLimits::default().retest_working_days, global = true)]
    pub disposal_retest_days: i64,
    /// 核查处置: working days after the notice to decide on 立案 (市场监督管理行政处罚程序规定).
    #[arg(long, env = "PORTAL_DISPOSAL_CASE_DAYS", default_value_t = DisposalLimits::default().case_working_days, global = true)]
    pub disposal_case_days: i64,
    /// 核查处置: days after 立案 for the penalty decision (市场监督管理行政处罚程序规定).
    #[arg(long, env = "PORTAL_DISPOSAL_PENALTY_DAYS", default_value_t = DisposalLimits::default().penalty_days, global = true)]
    pub disposal_penalty_days: i64,
    /// 核查处置: days after the result to complete it with the follow-up inspection (食品安全抽样检验管理办法).
    #[arg(long, env = "PORTAL_DISPOSAL_COMPLETE_DAYS", default_value_t = DisposalLimits::default().complete_days, global = true)]
    pub disposal_complete_days: i64,
    /// Page and asset requests per minute per client.
    #[arg(long, env = "PORTAL_RATE_PAGE_PER_MIN", default_value_t = RateLimits::default().page_per_min, global = true)]
    pub rate_page_per_min: u32,
    /// API reads per minute per client.
    #[arg(long, env = "PORTAL_RATE_API_PER_MIN", default_value_t = RateLimits::default().api_per_min, global = true)]
    pub rate_api_per_min: u32,
    /// Writes (POST, PUT, PATCH, DELETE) per minute per client.
    #[arg(long, env = "PORTAL_RATE_WRITE_PER_MIN", default_value_t = RateLimits::default().write_per_min, global = true)]
    pub rate_write_per_min: u32,
    /// 你点我检 ballots and SMS code requests per minute per client IP.
    #[arg(long, env = "PORTAL_RATE_VOTE_PER_MIN", default_value_t = RateLimits::default().vote_per_min, global = true)]
    pub rate_vote_per_min: u32,
    /// Bulk downloads of the whole registry per minute per client.

    #[arg(long, env = "PORTAL_RATE_DOWNLOAD_PER_MIN", default_value_t = RateLimits::default().download_per_min, global = true)]
    pub rate_download_per_min: u32,
    /// Staff sign-in attempts per minute per client.
    #[arg(long, env = "PORTAL_RATE_LOGIN_PER_MIN", default_value_t = RateLimits::default().login_per_min, global = true)]
    pub rate_login_per_min: u32,
    /// Seconds an anonymous page everyone sees alike is served from memory (0 disables).
    #[arg(long, env = "PORTAL_PAGE_CACHE_SECS", default_value_t = 5, global = true)]
    pub page_cache_secs: u64,
    /// Mark cookies `Secure` and send HSTS (set when served over TLS).
    /// Unset: on, unless the portal listens on a loopback address (plain-HTTP development).
    #[arg(long, env = "PORTAL_COOKIE_SECURE", global = true)]
    pub cookie_secure: Option<bool>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "PORTAL_MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Seconds before a request is answered 408.
    #[arg(long, env = "PORTAL_REQUEST_TIMEOUT_SECS", default_value_t = 15, global = true)]
    pub request_timeout_secs: u64,
    /// Serve even though demo staff accounts exist and the address is not loopback (a public demo).
    #[arg(long, env = "PORTAL_ALLOW_DEMO_ACCOUNTS", default_value_t = false, global = true)]
    pub allow_demo_accounts: bool,
    /// The built site (CSS, WASM, assets). cargo-leptos sets it.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site", global = true)]
    pub site_root: PathBuf,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Cmd {
    /// Migrate the database, then serve (the default).
    Serve,
    /// Apply migrations and exit.
    Migrate,
    /// Load data sets.
    Seed {
        /// The demo data set (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Staff accounts.
    Staff {
        #[command(subcommand)]
        cmd: StaffCmd,
    },
    /// Open311 partner apps and their API keys.
    Partner {
        #[command(subcommand)]
        cmd: PartnerCmd,
    },
    /// Bulk import.
    Import {
        #[command(subcommand)]
        what: ImportCmd,
    },
    /// Consistent online backup of the database.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into an empty database (DATABASE_URL), then migrate.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum StaffCmd {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum PartnerCmd {
    /// Issue a key for a new partner (audited); the key is printed once, on standard output.
    Add {
        #[arg(long)]
        name: String,
        /// Cases per minute (default: PORTAL_OPEN311_QUOTA's).
        #[arg(long)]
        per_min: Option<i64>,
        /// Cases per day (default: PORTAL_OPEN311_QUOTA's).
        #[arg(long)]
        per_day: Option<i64>,
    },
    /// Revoke a partner's key at once (audited).
    Revoke { id: i64 },
}

#[derive(Subcommand, Debug, Clone)]
pub enum ImportCmd {
    /// Import or update the business registry from a UTF-8 CSV file (header row required; columns
    /// credit_code, name, address, district, category; optional licence_no, status, dynamic_grade, last_inspected).
    Businesses { file: PathBuf },
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum RoleArg {
    Admin,
    Moderator,
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Moderator => Role::Moderator,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

impl Opts {
    /// Validates the options into a [`Config`]. Errors name the setting at fault.
    pub fn to_config(&self) -> anyhow::Result<Config> {
        backend::config::DbKind::from_url(&self.database_url)?;
        let (key, generated) = resolve_secret_key(self.secret_key.as_deref(), &self.data_dir)?;
        if generated {
            tracing::warn!(
                "PORTAL_SECRET_KEY is not set: generated one into {}/secret.key. Set PORTAL_SECRET_KEY, equal on \
                 every instance, in production.",
                self.data_dir.display()
            );
        }
        let per_min = |name: &str, v: u32| {
            if v == 0 {
                anyhow::bail!("{name} must be at least 1")
            }
            Ok(v)
        };
        let positive = |name: &str, v: i64| {
            if v < 1 {
                anyhow::bail!("{name} must be at least 1")
            }
            Ok(v)
        };
        if self.max_body_bytes < 1024 {
            anyhow::bail!("PORTAL_MAX_BODY_BYTES must be at least 1024");
        }
        if let Some(url) = &self.webhook_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                anyhow::bail!("PORTAL_WEBHOOK_URL must be an http(s) URL");
            }
        }
        Ok(Config {
            database_url: Secret::new(self.database_url.clone()),
            site_addr: self.site_addr,
            data_dir: self.data_dir.clone(),
            secret_key: Secret::new(key),
            trusted_proxies: parse_trusted_proxies(&self.trusted_proxies)?,
            webhook_url: self.webhook_url.clone(),
            webhook_secret: self.webhook_secret.clone().map(Secret::new),
            sms_url: self.sms_url.clone(),
            sms_inbound_secret: self.sms_inbound_secret.clone().filter(|s| !s.is_empty()).map(Secret::new),
            public_url: match self.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                    Some(u.trim_end_matches('/').to_owned())
                }
                Some(_) => anyhow::bail!("PORTAL_PUBLIC_URL must be an http(s) origin such as https://sa.example.cn"),
                None => None,
            },
            network_bounds: NetworkBounds {
                cases: Bound::parse("PORTAL_BOUND_CASES", &self.bound_cases)?,
                drafts: Bound::parse("PORTAL_BOUND_DRAFTS", &self.bound_drafts)?,
                nominations: Bound::parse("PORTAL_BOUND_NOMINATIONS", &self.bound_nominations)?,
                replies: Bound::parse("PORTAL_BOUND_REPLIES", &self.bound_replies)?,
                ratings: Bound::parse("PORTAL_BOUND_RATINGS", &self.bound_ratings)?,
                objections: Bound::parse("PORTAL_BOUND_OBJECTIONS", &self.bound_objections)?,
                ballots: Bound::parse("PORTAL_BOUND_BALLOTS", &self.bound_ballots)?,
                open311: Bound::parse("PORTAL_OPEN311_QUOTA", &self.open311_quota)?,
                sms: Bound::parse("PORTAL_BOUND_SMS", &self.bound_sms)?,
                follows: Bound::parse("PORTAL_BOUND_FOLLOWS", &self.bound_follows)?,
                volunteers: Bound::parse("PORTAL_BOUND_VOLUNTEERS", &self.bound_volunteers)?,
                photo_mb_per_day: positive("PORTAL_BOUND_PHOTO_MB_PER_DAY", self.bound_photo_mb_per_day)?,
                new_devices_per_hour: positive(
                    "PORTAL_NEW_DEVICES_PER_NETWORK_HOUR",
                    self.new_devices_per_network_hour,
                )?,
                sms_daily_budget: positive("PORTAL_SMS_DAILY_BUDGET", self.sms_daily_budget)?,
                sms_per_phone_per_day: positive("PORTAL_SMS_PER_PHONE_PER_DAY", self.sms_per_phone_per_day)?,
                follow_sms_per_phone_per_day: positive(
                    "PORTAL_FOLLOW_SMS_PER_PHONE_PER_DAY",
                    self.follow_sms_per_phone_per_day,
                )?,
            },
            disposal: DisposalLimits {
                check_working_days: positive("PORTAL_DISPOSAL_CHECK_DAYS", self.disposal_check_days)?,
                control_working_days: positive("PORTAL_DISPOSAL_CONTROL_DAYS", self.disposal_control_days)?,
                retest_working_days: positive("PORTAL_DISPOSAL_RETEST_DAYS", self.disposal_retest_days)?,
                case_working_days: positive("PORTAL_DISPOSAL_CASE_DAYS", self.disposal_case_days)?,
                penalty_days: positive("PORTAL_DISPOSAL_PENALTY_DAYS", self.disposal_penalty_days)?,
                complete_days: positive("PORTAL_DISPOSAL_COMPLETE_DAYS", self.disposal_complete_days)?,
            },
            rate_limits: RateLimits {
                page_per_min: per_min("PORTAL_RATE_PAGE_PER_MIN", self.rate_page_per_min)?,
                api_per_min: per_min("PORTAL_RATE_API_PER_MIN", self.rate_api_per_min)?,
                download_per_min: per_min("PORTAL_RATE_DOWNLOAD_PER_MIN", self.rate_download_per_min)?,
                write_per_min: per_min("PORTAL_RATE_WRITE_PER_MIN", self.rate_write_per_min)?,
                vote_per_min: per_min("PORTAL_RATE_VOTE_PER_MIN", self.rate_vote_per_min)?,
                login_per_min: per_min("PORTAL_RATE_LOGIN_PER_MIN", self.rate_login_per_min)?,
            },
            page_cache_ttl: Duration::from_secs(self.page_cache_secs),
            cookie_secure: self.cookie_secure.unwrap_or(!self.site_addr.ip().is_loopback()),
            max_body_bytes: self.max_body_bytes,
            request_timeout: Duration::from_secs(self.request_timeout_secs.max(1)),
            site_root: self.site_root.clone(),
            password_cost: backend::config::PasswordCost::Owasp,
        })
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info,hyper=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

/// Entry point: parse, run, and turn any error into a one-line message and exit code 1.
pub async fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, naming the setting: the chain of causes joined.
            let msg = e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ");
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

async fn open(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(config.database_url.expose()).await?;
    store.migrate().await?;
    Ok(store)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.opts.to_config()?;
    let opts_allow_demo = cli.opts.allow_demo_accounts;
    match cli.cmd.unwrap_or(Cmd::Serve) {
        Cmd::Serve => {
            refuse_public_demo(&config, &opts_allow_demo).await?;
            let listener = tokio::net::TcpListener::bind(config.site_addr)
                .await
                .with_context(|| format!("LEPTOS_SITE_ADDR: cannot listen on {}", config.site_addr))?;
            let running = startup::build(config, listener).await?;
            tracing::info!("食安绵阳 portal listening on http://{}", running.local_addr());
            running.serve(shutdown_signal()).await
        }
        Cmd::Migrate => {
            let store = open(&config).await?;
            store.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }
        Cmd::Seed { demo } => {
            if !demo {
                anyhow::bail!("nothing to seed: pass --demo");
            }
            let store = open(&config).await?;
            let state = AppState::new(store.clone(), config);
            let (password, generated) = match std::env::var("PORTAL_DEMO_PASSWORD") {
                Ok(p) if !p.is_empty() => (p, false),
                _ => (random_password(), true),
            };
            let report =
                backend::seed::demo(&state, &password).await.map_err(|e| anyhow::anyhow!("seeding failed: {e}"))?;
            tracing::info!(?report, "demo data loaded");
            if generated {
                #[allow(clippy::print_stdout, reason = "the one place the generated demo password is shown")]
                {
                    println!("demo staff password (demo_admin, demo_moderator, demo_viewer): {password}");
                }
            }
            store.close().await;
            Ok(())
        }
        Cmd::Staff { cmd: StaffCmd::Add { username, role } } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let store = open(&config).await?;
            let state = AppState::new(store.clone(), config);
            let user = backend::staff::accounts::create(&state, &Actor::cli(), &username, password, role.into())
                .await
                .map_err(|e| {
                    anyhow::anyhow!("{}: {}", e.field.as_deref().unwrap_or("staff"), e.message(domain::Lang::En))
                })?;
            store.close().await;
            tracing::info!(username = %user.username, role = user.role.as_str(), "staff account created");
            Ok(())
        }
        Cmd::Partner { cmd } => {
            let store = open(&config).await?;
            let state = AppState::new(store.clone(), config);
            let failed = |e: domain::AppError| {
                anyhow::anyhow!("{}: {}", e.field.as_deref().unwrap_or("partner"), e.message(domain::Lang::En))
            };
            match cmd {
                PartnerCmd::Add { name, per_min, per_day } => {
                    let f = domain::open311::PartnerFields {
                        name,
                        per_min: per_min.map(|n| n.to_string()).unwrap_or_default(),
                        per_day: per_day.map(|n| n.to_string()).unwrap_or_default(),
                    };
                    let issued = backend::open311::partners::issue(&state, &Actor::cli(), &f.parse().map_err(failed)?)
                        .await
                        .map_err(failed)?;
                    tracing::info!(partner = issued.partner_id, "partner key issued");
                    #[allow(clippy::print_stdout, reason = "the one place a key issued on the command line is shown")]
                    {
                        println!("{}", issued.api_key);
                    }
                }
                PartnerCmd::Revoke { id } => {
                    backend::open311::partners::revoke(&state, &Actor::cli(), id).await.map_err(failed)?;
                    tracing::info!(partner = id, "partner key revoked");
                }
            }
            store.close().await;
            Ok(())
        }
        #[allow(clippy::print_stdout, reason = "the import report is the command's output")]
        Cmd::Import { what: ImportCmd::Businesses { file } } => {
            let data = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let store = open(&config).await?;
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let report = backend::credit::import::import_now(&store, &Actor::cli(), &data, |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await
            .map_err(|e| anyhow::anyhow!("import failed: {}", e.message(domain::Lang::En)))?;
            bar.finish_and_clear();
            if let Some(e) = report.errors.iter().find(|e| e.line == 1) {
                anyhow::bail!("{}: line 1: {}", file.display(), e.message);
            }
            for e in &report.errors {
                println!("line {}: {}: {}", e.line, e.field, e.message);
            }
            println!(
                "created {}, updated {}, unchanged {}, rejected {}",
                report.created,
                report.updated,
                report.unchanged,
                report.errors.len()
            );
            store.close().await;
            Ok(())
        }
        Cmd::Backup { to } => {
            let store = open(&config).await?;
            store.backup(&to, config.database_url.expose()).await?;
            store.close().await;
            tracing::info!("backup written to {}", to.display());
            Ok(())
        }
        Cmd::Restore { from } => {
            let store = Store::restore(&from, config.database_url.expose()).await?;
            store.close().await;
            tracing::info!("restored {}", from.display());
            Ok(())
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

/// A fresh password for the demo accounts: 16 random letters and digits.
fn random_password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16).map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char).collect()
}

/// Demo accounts on a public address are someone else's console: refused unless explicitly allowed.
async fn refuse_public_demo(config: &Config, allow: &bool) -> anyhow::Result<()> {
    if *allow || config.site_addr.ip().is_loopback() {
        return Ok(());
    }
    let store = open(config).await?;
    let state = AppState::new(store.clone(), config.clone());
    let demo = backend::seed::has_demo_accounts(&state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    if demo {
        anyhow::bail!(
            "demo staff accounts exist and LEPTOS_SITE_ADDR {} is not loopback: remove them, or set \
             PORTAL_ALLOW_DEMO_ACCOUNTS=true for a public demo",
            config.site_addr
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("server").chain(args.iter().copied()))
    }

    #[test]
    fn cookies_are_secure_unless_serving_plain_http_on_loopback() {
        let dir = std::env::temp_dir().join(format!("portal-cli-cookie-{}", std::process::id()));
        let key = "k".repeat(32);
        let d = dir.to_str().unwrap();
        let cfg = |args: &[&str]| {
            let mut all = vec!["--data-dir", d, "--secret-key", key.as_str()];
            all.extend_from_slice(args);
            parse(&all).unwrap().opts.to_config().unwrap()
        };
        assert!(!cfg(&[]).cookie_secure, "127.0.0.1 (development) is plain HTTP");
        assert!(cfg(&["--site-addr", "0.0.0.0:3000"]).cookie_secure, "anything else is behind TLS");
        assert!(!cfg(&["--site-addr", "0.0.0.0:3000", "--cookie-secure", "false"]).cookie_secure);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn demo_accounts_are_refused_on_a_public_address() {
        let db = backend::testing::TestDb::new(backend::testing::Backend::Sqlite).await;
        let mut config = (*db.state.config).clone();
        config.site_addr = "0.0.0.0:3000".parse().unwrap();
        assert!(refuse_public_demo(&config, &false).await.is_ok(), "no demo accounts yet");
        backend::seed::demo_with(&db.state, 10, backend::seed::DEMO_PASSWORD).await.unwrap();
        let err = refuse_public_demo(&config, &false).await.unwrap_err().to_string();
        assert!(err.contains("PORTAL_ALLOW_DEMO_ACCOUNTS"), "{err}");
        assert!(refuse_public_demo(&config, &true).await.is_ok(), "unless explicitly allowed");
        config.site_addr = "127.0.0.1:3000".parse().unwrap();
        assert!(refuse_public_demo(&config, &false).await.is_ok(), "fine on loopback");
        db.cleanup().await;
    }

    #[test]
    fn parses_subcommands_and_flags() {
        let cli =
            parse(&["--database-url", "postgres://u@h/db", "staff", "add", "--username", "li", "--role", "moderator"])
                .unwrap();
        assert_eq!(cli.opts.database_url, "postgres://u@h/db");
        assert!(matches!(cli.cmd, Some(Cmd::Staff { cmd: StaffCmd::Add { role: RoleArg::Moderator, .. } })));
        let cli = parse(&["backup", "--to", "/tmp/x.db"]).unwrap();
        assert!(matches!(cli.cmd, Some(Cmd::Backup { .. })));
        assert!(parse(&["staff", "add", "--username", "li", "--role", "root"]).is_err());
        let cli = parse(&["partner", "add", "--name", "12345热线", "--per-min", "5"]).unwrap();
        assert!(matches!(cli.cmd, Some(Cmd::Partner { cmd: PartnerCmd::Add { per_min: Some(5), per_day: None, .. } })));
        assert!(matches!(
            parse(&["partner", "revoke", "3"]).unwrap().cmd,
            Some(Cmd::Partner { cmd: PartnerCmd::Revoke { id: 3 } })
        ));
        assert!(parse(&["partner", "revoke", "x"]).is_err());
        assert!(parse(&["--site-addr", "not-an-addr"]).is_err());
    }

    #[test]
    fn config_errors_name_the_setting() {
        let dir = std::env::temp_dir().join(format!("portal-cli-{}", std::process::id()));
        let mut cli = parse(&["--data-dir", dir.to_str().unwrap(), "--secret-key", &"s".repeat(32)]).unwrap();
        let cfg = cli.opts.to_config().unwrap();
        assert_eq!(cfg.rate_limits, RateLimits::default());
        cli.opts.database_url = "mysql://x".into();
        assert!(cli.opts.to_config().unwrap_err().to_string().contains("DATABASE_URL"));
        cli.opts.database_url = "sqlite://x.db".into();
        cli.opts.trusted_proxies = "nonsense".into();
        assert!(cli.opts.to_config().unwrap_err().to_string().contains("PORTAL_TRUSTED_PROXIES"));
        cli.opts.trusted_proxies = String::new();
        cli.opts.rate_write_per_min = 0;
        assert!(cli.opts.to_config().unwrap_err().to_string().contains("PORTAL_RATE_WRITE_PER_MIN"));
        cli.opts.rate_write_per_min = 5;
        cli.opts.secret_key = Some("short".into());
        assert!(cli.opts.to_config().unwrap_err().to_string().contains("PORTAL_SECRET_KEY"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
