//! Every user-visible string, in zh-CN (first) and en.
//!
//! Texts are an enum and a `match`: a key without both languages does not compile, so the English version can
//! never silently miss a string. We chose this over a runtime catalogue crate because the two-language table
//! is small, must be identical in the browser and the server, and a compile-time check is the strongest guarantee.

use serde::{Deserialize, Serialize};

/// The interface language. Chinese is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag used in `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The short code stored in the `lang` cookie and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Parses `zh`, `zh-CN`, `zh-Hans`, `en`, `en-US`… (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let primary = s.split(['-', '_']).next().unwrap_or("");
        match primary {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the language from an `Accept-Language` header: the highest-weighted tag we speak, else Chinese.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            // `q=0` means "not this one" (RFC 9110), and a weight that is not a number counts as nothing.
            if !(q > 0.0 && q <= 1.0) {
                continue;
            }
            if let Some(lang) = Lang::parse(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// The language of a request: the `lang` cookie when set, else `Accept-Language`, else Chinese.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie.and_then(Lang::parse).or_else(|| accept_language.map(Lang::from_accept_language)).unwrap_or_default()
    }
}

/// Fills the named holes of a text (`"已选 {n} 项"` with `("n", "2")`). Islands call it on the texts the server
/// renders into their elements' `data-` attributes, so no text is compiled into the WASM.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut s = text.to_owned();
    for (name, value) in values {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

macro_rules! texts {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// A user-visible text. `T::X.get(lang)` gives it in that language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum T { $($key),* }

        impl T {
            /// Every text, for completeness tests.
            pub const ALL: &'static [T] = &[$(T::$key),*];

            /// The text in the given language.
            pub fn get(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Zh => match self { $(T::$key => $zh),* },
                    Lang::En => match self { $(T::$key => $en),* },
                }
            }

            /// The text in the given language with its named holes (`{n}`) filled.
            pub fn fill(self, lang: Lang, values: &[(&str, &str)]) -> String {
                fill(self.get(lang), values)
            }
        }
    };
}

texts! {
    // Brand and shell
    BrandName => "食安绵阳", "Food-Safe Mianyang";
    BrandTagline => "你点我检 · 有奖举报 · 信用查询", "You pick, we test · Rewarded reports · Credit lookup";
    BrandOwner => "绵阳市市场监督管理局", "Mianyang Administration for Market Regulation";
    SkipToContent => "跳到正文", "Skip to content";
    NavLabel => "主导航", "Main navigation";
    NavHome => "首页", "Home";
    NavPicks => "你点我检", "You Pick, We Test";
    NavReport => "举报投诉", "Report";
    NavTrack => "进度查询", "Track a case";
    NavCredit => "信用查询", "Credit lookup";
    NavResults => "抽检结果", "Test results";
    NavNews => "新闻动态", "News";
    NavStats => "数据统计", "Statistics";
    LargeTextOn => "大字", "Larger text";
    LargeTextOff => "标准字", "Standard text";
    LargeTextLabel => "大字模式：放大文字和按钮，提高对比度", "Large-text mode: bigger text and buttons, higher contrast";
    NavStaff => "工作人员入口", "Staff sign-in";
    SwitchLanguage => "English", "中文";
    SwitchLanguageLabel => "切换语言", "Switch language";
    FooterHotline => "投诉举报热线 12315", "Complaints hotline 12315";
    FooterDemo => "演示数据：本站内容为生成的示例数据。", "Demo data: the content of this site is generated sample data.";
    FooterApi => "开放数据接口", "Open data API";
    FooterCopyright => "© 2026 绵阳市市场监督管理局 · 食安绵阳", "© 2026 Mianyang Administration for Market Regulation · Food-Safe Mianyang";
    // Home
    HomeTitle => "食安绵阳 · 让每一口都放心", "Food-Safe Mianyang · Safe food in every bite";
    HomeIntro => "绵阳市食品安全城市创建：市民点单、政府抽检、结果公开；举报有奖，信用可查。", "Mianyang's food-safety campaign: citizens choose what is tested, the regulator samples it and publishes the results; reports are rewarded and every business's credit record is public.";
    HomeFiguresTitle => "创建成果", "Campaign figures";
    FigureBusinesses => "持证食品经营主体", "Licensed food businesses";
    FigurePassRate => "评价性抽检合格率", "Evaluation sampling pass rate";
    FigureBatches => "2021年以来抽检食品批次", "Food batches sampled since 2021";
    FigureCases => "查办案件", "Cases investigated";
    FigureVolunteers => "食品安全志愿者", "Food-safety volunteers";
    FiguresUpdated => "数据更新于", "Figures updated";
    HomeActionsTitle => "我要参与", "Take part";
    ActionPicks => "投票选出下一批抽检食品", "Vote on which foods are tested next";
    ActionReport => "举报食品安全问题，查实有奖", "Report a food-safety problem and earn a reward";
    ActionCredit => "查一查餐馆、超市的信用等级", "Check a restaurant's or shop's credit grade";
    ActionTrack => "凭受理编号查询办理进度", "Follow your case with its tracking number";
    MascotAlt => "吉祥物“绵绵”举着放大镜", "The mascot Mianmian holding a magnifying glass";
    MascotName => "吉祥物“绵绵”", "Mascot: Mianmian";
    LogoAlt => "食安绵阳标志", "Food-Safe Mianyang logo";
    Loading => "加载中…", "Loading…";
    ComingSoon => "该栏目正在建设中，敬请期待。", "This section is being built. Please check back soon.";
    // Errors and status pages
    NotFoundTitle => "页面不存在", "Page not found";
    NotFoundBody => "您访问的页面不存在或已被移除。", "The page you asked for does not exist or has been removed.";
    BackHome => "返回首页", "Back to the home page";
    ErrNotFound => "找不到请求的资源。", "The requested resource was not found.";
    ErrInvalidJson => "请求体不是有效的 JSON。", "The request body is not valid JSON.";
    ErrUnsupportedMediaType => "不支持的内容类型。", "Unsupported content type.";
    ErrPayloadTooLarge => "请求体过大。", "The request body is too large.";
    ErrRateLimited => "请求过于频繁，请稍后再试。", "Too many requests. Please try again later.";
    ErrUnauthorized => "请先登录。", "Please sign in first.";
    ErrForbidden => "您没有权限执行此操作。", "You are not allowed to do this.";
    ErrCsrf => "请求来源无法验证，请刷新页面后重试。", "The request's origin could not be verified. Reload the page and try again.";
    ErrInvalidCredentials => "用户名或密码错误。", "Wrong username or password.";
    ErrLoginThrottled => "登录失败次数过多，请稍后再试。", "Too many failed sign-ins. Please try again later.";
    ErrRequired => "此项必填。", "This field is required.";
    ErrTooLong => "内容过长。", "This is too long.";
    ErrTooMany => "选择的项目过多。", "Too many items are chosen.";
    ErrTooShort => "内容过短。", "This is too short.";
    ErrInvalidValue => "格式不正确。", "This value is not valid.";
    ErrInvalidCreditCode => "统一社会信用代码不正确（应为18位，且校验位正确）。", "Invalid unified social credit code (18 characters with a valid check character).";
    ErrInvalidLicenceNo => "许可证编号不正确（JY或SC加14位数字）。", "Invalid licence number (JY or SC followed by 14 digits).";
    ErrPerPage => "每页条数须在1到100之间。", "per_page must be between 1 and 100.";
    ErrConflict => "与已有记录冲突。", "This conflicts with an existing record.";
    ErrMethodNotAllowed => "不支持该请求方法。", "This method is not allowed here.";
    ErrTimeout => "请求超时，请重试。", "The request timed out. Please try again.";
    ErrUnavailable => "服务暂不可用，请稍后再试。", "The service is temporarily unavailable.";
    ErrInternal => "服务器内部错误，我们已记录此问题。", "Internal error. We have logged the problem.";
    // Credit
    GradeA => "守信", "Trustworthy";
    GradeB => "基本守信", "Mostly trustworthy";
    GradeC => "失信", "Untrustworthy";
    GradeD => "严重失信", "Seriously untrustworthy";
    EventInspection => "监督检查发现问题", "Inspection finding";
    EventSampling => "抽检不合格", "Sampling failure";
    EventPenalty => "行政处罚", "Administrative penalty";
    EventReport => "举报查实", "Substantiated report";
    EventCommendation => "表彰奖励", "Commendation";
    SeverityMinor => "轻微", "Minor";
    SeverityGeneral => "一般", "General";
    SeverityMajor => "较重", "Major";
    SeveritySerious => "严重", "Serious";
    DynExcellent => "优秀", "Excellent";
    DynGood => "良好", "Good";
    DynFair => "一般", "Fair";
    CreditIntro => "输入店名、地址、统一社会信用代码或许可证编号，查看食品经营者的信用等级及其依据。", "Enter a name, an address, a credit code or a licence number to see a food business's credit grade and the record behind it.";
    CreditSearchLabel => "搜索商户", "Search businesses";
    CreditSearchPlaceholder => "如：米粉、涪城、91510703…", "e.g. 米粉, 涪城, 91510703…";
    CreditHint => "请输入至少2个字，或选择筛选条件。", "Type at least 2 characters, or choose a filter.";
    CreditNoResults => "没有找到符合条件的商户。", "No business matches.";
    CreditFound => "共找到 {n} 家", "{n} businesses found";
    NearMe => "附近", "Near me";
    NearMeLocating => "正在获取您的位置…", "Finding your location…";
    NearMeDenied => "无法获取您的位置，请在下方选择区县和街道。", "Your location is unavailable: choose a district and a street below.";
    NearPickLegend => "查找某条街道附近的商户", "Businesses near a street";
    Street => "街道", "Street";
    NearShow => "查看附近商户", "Show nearby businesses";
    NearFound => "{r} 米内共 {n} 家，由近及远", "{n} businesses within {r} m, nearest first";
    NearDistance => "约 {m} 米", "about {m} m";
    Search => "查询", "Search";
    Any => "全部", "Any";
    District => "区县", "District";
    Grade => "信用等级", "Credit grade";
    Category => "类别", "Category";
    Address => "地址", "Address";
    Status => "经营状态", "Status";
    WatchList => "重点监控", "Watch list";
    WatchListNote => "该商户已列入重点监控名单。", "This business is on the watch list.";
    Pages => "分页", "Pages";
    PrevPage => "上一页", "Previous";
    NextPage => "下一页", "Next";
    CreditScore => "信用分", "Credit score";
    CreditCodeLabel => "统一社会信用代码", "Unified social credit code";
    LicenceLabel => "食品经营许可证", "Food licence";
    LastInspected => "最近检查", "Last inspected";
    DynamicGrade => "量化分级", "Hygiene rating";
    CreditEvents => "信用记录", "Credit record";
    NoEvents => "当前无扣分记录。", "No record events.";
    EventDate => "日期", "Date";
    EventKindLabel => "事项", "Event";
    EventPoints => "分值", "Points";
    EventSource => "来源", "Source";
    OutOfPeriod => "已超出评价周期", "Outside the rating period";
    GradeHistory => "等级变化", "Grade history";
    NoHistory => "等级未发生变化。", "The grade has not changed.";
    ShareTitle => "扫码查看 · 嵌入徽章", "Scan or embed";
    QrAlt => "本页二维码", "QR code of this page";
    BadgeHelp => "商户可将下方信用徽章嵌入自己的网站：", "Shops can put this credit badge on their own website:";
    BadgeAlt => "信用等级徽章", "Credit grade badge";
    RepliesTitle => "商户回应", "The business's reply";
    NoReplies => "商户暂无公开回应。", "The business has not published a reply.";
    OwnWords => "以下为商户自述，非监管部门意见：", "In the business's own words, not the regulator's:";
    ReplyReceived => "已收到，审核通过后公开。", "Received. It will be published after review.";
    ReplyOpen => "我是该商户：提交公开回应", "I run this business: post a public reply";
    ReplyKind => "类型", "Type";
    ReplyKindReply => "公开回应", "Public reply";
    ReplyKindRepair => "信用修复申请", "Credit repair request";
    ReplyBody => "内容（10–2000字）", "Text (10–2000 characters)";
    ReplyContact => "联系人及电话（仅工作人员可见）", "Contact name and phone (staff only)";
    ReplyPrivacy => "联系方式仅用于核实，不会公开。", "The contact is only used to verify the request and is never published.";
    ReplySubmit => "提交", "Submit";
    StaffBusinessesTitle => "商户与信用记录", "Businesses and credit records";
    StaffRepliesTitle => "商户回应审核", "Business replies to review";
    StaffSaveBusiness => "保存商户", "Save business";
    StaffAddEvent => "登记信用事项", "Record an event";
    StaffImport => "批量导入（CSV）", "Bulk import (CSV)";
    StaffImportHelp => "UTF-8编码，首行为列名：credit_code,name,address,district,category，可选 licence_no,status,dynamic_grade,last_inspected。同一文件重复导入不会产生变化。", "UTF-8, header row: credit_code,name,address,district,category; optional licence_no,status,dynamic_grade,last_inspected. Importing the same file again changes nothing.";
    StaffImportButton => "上传并导入", "Upload and import";
    ImportJobTitle => "导入任务", "Import job";
    ImportRunning => "正在导入，本页每3秒自动刷新。", "Importing; this page refreshes every 3 seconds.";
    ImportDone => "导入完成", "Import finished";
    ImportFailed => "导入失败", "Import failed";
    ImportProgress => "进度", "Progress";
    ImportCreated => "新增", "Created";
    ImportUpdated => "更新", "Updated";
    ImportUnchanged => "未变", "Unchanged";
    ImportRejected => "拒绝", "Rejected";
    ImportLine => "行", "Line";
    ImportField => "字段", "Field";
    ImportReason => "原因", "Reason";
    ImportStartedBy => "发起人", "Started by";
    BackToRegistry => "返回商户管理", "Back to the registry";
    ReplyOrigin => "来源网段", "Sent from network";
    ReplyContactHistory => "该联系人提交", "Submissions by this contact";
    ReplyContactBusinesses => "涉及商户数", "Businesses concerned";
    StaffExport => "导出全部商户（CSV）", "Export the registry (CSV)";
    EventOccurred => "发生日期", "Date";
    EventDescription => "说明", "Description";
    Severity => "严重程度", "Severity";
    NameLabel => "名称", "Name";
    Approve => "通过", "Approve";
    Reject => "驳回", "Reject";
    DecisionNote => "备注（内部）", "Note (internal)";
    QueueEmpty => "没有待审核的内容。", "Nothing to review.";
    Suggestions => "搜索建议", "Suggestions";
    // Staff
    StaffLoginTitle => "工作人员登录", "Staff sign-in";
    StaffUsername => "用户名", "Username";
    StaffPassword => "密码", "Password";
    StaffLoginButton => "登录", "Sign in";
    StaffLogout => "退出登录", "Sign out";
    StaffHomeTitle => "工作台", "Staff console";
    StaffWelcome => "您好，", "Hello, ";
    StaffRole => "角色", "Role";
    RoleAdmin => "管理员", "Administrator";
    RoleModerator => "审核员", "Moderator";
    RoleViewer => "只读用户", "Viewer";
    StaffFiguresTitle => "更新创建成果数据", "Update the campaign figures";
    StaffFiguresSave => "保存", "Save";
    StaffFiguresSaved => "已保存。", "Saved.";
    StaffAuditTitle => "审计日志", "Audit log";
    AuditAt => "时间", "Time";
    AuditActor => "操作人", "Actor";
    AuditAction => "操作", "Action";
    AuditTarget => "对象", "Target";
    AuditIp => "来源地址", "Source address";
    AuditOlder => "更早的记录", "Older entries";
    StaffViewerNote => "只读用户可以查看工作台与审计日志，但不能修改数据。", "Viewers can read the console and the audit log but cannot change data.";
    // 你点我检
    NavMarkets => "一码通", "Markets";
    MarketsTitle => "一码通 · 农贸市场", "Markets: one code per stall";
    MarketsIntro => "扫摊位上的二维码，查看经营者信用等级、今日快检结果和在售商品的承诺达标合格证。", "Scan the QR code on a stall to see its operator's credit grade, today's rapid tests and the certificates of what it sells.";
    MarketsNone => "暂无市场。", "No markets yet.";
    MarketTodayTests => "今日快检 {n} 批次 · 合格 {m}", "Rapid tests today: {n} · passed {m}";
    MarketStallCount => "{n} 个摊位", "{n} stalls";
    MarketFlaggedCount => "近30天快检不合格摊位 {n} 个", "{n} stalls failed a rapid test in the last 30 days";
    MarketStallsByGrade => "摊位（按经营者信用等级）", "Stalls by operator grade";
    MarketFailing => "近30天快检不合格", "Failing rapid tests, last 30 days";
    MarketNoFailing => "近30天没有不合格的快检。", "No failing rapid tests in the last 30 days.";
    StallNumber => "摊位号", "Stall";
    StallGoods => "经营品类", "Goods";
    StallOperator => "经营者", "Operator";
    StallMarket => "所在市场", "Market";
    StallFlagged => "近期快检不合格", "Failed a recent rapid test";
    StallToday => "今日快检", "Today's rapid tests";
    StallNoTests => "今天还没有快检记录。", "No rapid tests today yet.";
    StallCertificates => "承诺达标合格证（近7天）", "Certificates of compliance (承诺达标合格证, last 7 days)";
    StallNoCertificates => "近7天没有合格证记录。", "No certificates in the last 7 days.";
    StallCodeLabel => "摊位码", "Stall code";
    StallQr => "摊位二维码（打印张贴）", "Stall QR code (to print)";
    TestSample => "样品", "Sample";
    TestItem => "检测项目", "Item";
    TestMethodLabel => "检测方法", "Method";
    TestResultLabel => "结果", "Result";
    TestTime => "检测时间", "Time";
    TestTester => "检测员", "Tester";
    CertNo => "合格证编号", "Certificate no.";
    CertProduct => "产品名称", "Product";
    CertQuantity => "数量（重量）", "Quantity (weight)";
    CertOrigin => "产地", "Origin";
    CertProducer => "生产者及联系方式", "Producer and contact";
    CertIssued => "开具日期", "Issued on";
    CertCommitments => "承诺事项", "Commitments";
    CertBasis => "承诺依据", "Basis";
    CertTrace => "追溯", "Trace";
    TraceTitle => "合格证追溯：同一合格证的在售摊位", "Certificate trace: every stall selling these goods";
    StaffMarketsTitle => "市场管理（一码通）", "Markets (一码通)";
    MarketKindLabel => "市场类型", "Kind";
    MarketCreate => "新增市场", "Add a market";
    MarketKeys => "数据接口密钥", "API keys";
    MarketKeyId => "密钥编号", "Key id";
    MarketKeyIssue => "签发新密钥", "Issue a new key";
    MarketKeyRevoke => "吊销", "Revoke";
    MarketKeyRevoked => "已吊销", "Revoked";
    MarketKeyShownOnce => "请立即复制并交给市场系统：密钥只显示这一次。", "Copy the secret to the market's system now: it is shown only this once.";
    MarketKeySecret => "密钥", "Secret";
    MarketUpload => "上传CSV（整批入库或整批退回）", "Upload a CSV (stored whole or refused whole)";
    MarketUploadKind => "数据类型", "Data";
    MarketUploadFile => "CSV文件", "CSV file";
    MarketUploads => "上传记录", "Uploads";
    UploadKindStalls => "摊位", "Stalls";
    UploadKindTests => "快检记录", "Rapid tests";
    UploadKindCertificates => "承诺达标合格证", "Certificates";
    UploadAccepted => "已入库", "Stored";
    UploadRefused => "未入库（整批退回）", "Refused (nothing stored)";
    UploadLine => "行", "Line";
    UploadField => "字段", "Field";
    UploadError => "错误", "Error";
    MarketCase => "案件", "Case";
    MarketOpenCase => "据此立案（举报）", "Open a case from it";
    // 阳光餐饮 (互联网+明厨亮灶)
    Sunshine => "阳光餐饮", "Sunshine kitchen";
    SunshineFilter => "只看阳光餐饮（明厨亮灶）", "Sunshine kitchens only (kitchen on camera)";
    SunshineTitle => "阳光餐饮 · 明厨亮灶", "Sunshine kitchen: kitchen on camera";
    SunshineIntro => "该商户已接入“互联网+明厨亮灶”，后厨由视频监控，AI识别的违规行为经监管人员核实后公示。", "This business's kitchen is on camera (互联网+明厨亮灶); what the vendor's AI flags is published only after staff checked it.";
    SunshineCamera => "摄像头", "Camera";
    SunshineOnline => "在线", "Online";
    SunshineOffline => "离线", "Offline";
    SunshineUptime => "近30天在线率", "Uptime, last 30 days";
    SunshineNoUptime => "暂无数据", "No data yet";
    SunshineDays => "{n} 天有数据", "{n} days reported";
    SunshineVendor => "平台", "Platform";
    SunshineJoined => "接入日期", "Joined";
    SunshineLive => "观看后厨直播（第三方平台）", "Watch the kitchen live (vendor's site)";
    SunshineFlags => "核实属实的AI抓拍", "Confirmed AI flags";
    SunshineNoFlags => "近期没有核实属实的违规抓拍。", "No confirmed flags.";
    FlagDetected => "抓拍时间", "Detected";
    FlagKindLabel => "类型", "Kind";
    FlagAction => "处置情况", "Action taken";
    StaffKitchensTitle => "阳光餐饮（明厨亮灶）", "Sunshine kitchens";
    KitchenVendors => "明厨亮灶平台", "Vendors";
    KitchenVendorCreate => "新增平台", "Add a vendor";
    KitchenCount => "{n} 家后厨", "{n} kitchens";
    KitchenPending => "待审核的AI抓拍", "Flags awaiting review";
    KitchenNoPending => "没有待审核的抓拍。", "No flags await review.";
    KitchenSnapshot => "抓拍图片", "Snapshot";
    KitchenConfirm => "属实", "Confirm";
    KitchenDismiss => "不属实", "Dismiss";
    KitchenRecordEvent => "同时登记信用事项（检查发现问题）", "Also record a credit event (inspection finding)";
    KitchenUpload => "上传状态CSV（整批入库或整批退回）", "Upload a status CSV (stored whole or refused whole)";
    KitchenList => "接入的后厨", "Kitchens in the programme";
    KitchenPendingCount => "待审核", "Pending";
    KitchenConsent => "同意公开直播", "Live view consented";
    PicksTitle => "你点我检", "You Pick, We Test";
    PicksIntro => "市民提名、投票选出最关心的食品，由市场监管部门抽样检验并公开结果。", "Citizens nominate and vote for the foods they worry about most; the regulator samples them and publishes what the lab found.";
    PicksNone => "暂无活动。", "No rounds yet.";
    PhaseUpcoming => "即将开始", "Upcoming";
    PhaseNominating => "征集提名中", "Taking nominations";
    PhaseVoting => "投票进行中", "Voting open";
    PhaseSampling => "抽检中", "Sampling under way";
    PhasePublished => "结果已公布", "Results published";
    VoterCheckDevice => "每台设备一票", "One ballot per device";
    VoterCheckSms => "短信验证，每个手机号一票", "One ballot per phone number (SMS code)";
    RoundNominate => "提名期", "Nominations";
    RoundVote => "投票期", "Voting";
    RoundPublish => "结果公布", "Results due";
    RoundMaxPicks => "每张选票最多可选", "Picks per ballot, at most";
    RoundCandidates => "候选食品", "Candidate foods";
    RoundBallots => "已投选票", "Ballots cast";
    RoundVotes => "票", "votes";
    RoundCountsHidden => "投票结束前不公布票数。", "Counts are hidden until voting closes.";
    RoundOpen => "查看并投票", "See and vote";
    RoundView => "查看", "View";
    BallotTitle => "投出你的一票", "Cast your ballot";
    BallotHint => "勾选你最希望抽检的食品，投票截止前可以修改。", "Tick the foods you most want tested. You may change your ballot until voting closes.";
    BallotSubmit => "提交选票", "Submit ballot";
    BallotThanks => "投票成功，感谢参与！截止前可随时修改。", "Thank you, your ballot is in. You can change it until voting closes.";
    BallotReplaced => "已用新选票替换你之前的选票。", "Your new ballot replaced your earlier one.";
    BallotYours => "你的选票", "Your ballot";
    BallotPhone => "手机号", "Phone number";
    BallotCode => "短信验证码", "SMS code";
    BallotSendCode => "获取验证码", "Send code";
    BallotCodeSent => "验证码已发送，10分钟内有效。", "Code sent; it is valid for 10 minutes.";
    BallotMaxPicks => "最多选 {max} 项。", "Pick up to {max}.";
    BallotPicked => "已选 {n} / {max} 项", "{n} of {max} picked";
    TallyTitle => "投票结果", "Tally";
    TallyTable => "查看数据表", "Show as a table";
    RoundVoterCheckLabel => "投票人核验方式", "Voter check";
    TallyChartLabel => "各候选食品得票柱状图", "Bar chart of votes per candidate";
    NominateTitle => "提名你关心的食品", "Nominate a food";
    NominateHint => "提名经审核后成为候选食品。", "Nominations become candidates after moderation.";
    NominateFood => "食品名称", "Food";
    NominateCategory => "食品类别", "Category";
    NominateReason => "提名理由（选填）", "Why (optional)";
    NominateSubmit => "提交提名", "Submit nomination";
    NominateThanks => "提名已收到，审核结果将显示在本页。", "Nomination received; the outcome will be shown on this page.";
    NominationsYours => "你的提名", "Your nominations";
    NominationPending => "待审核", "Awaiting moderation";
    NominationApproved => "已采纳为候选", "Accepted as a candidate";
    NominationMerged => "已并入现有候选", "Merged into an existing candidate";
    NominationRejected => "未采纳", "Not accepted";
    IntegrityTitle => "投票公正性报告", "Integrity report";
    IntegrityBallots => "计入选票", "Ballots counted";
    IntegrityVoters => "不同投票人", "Distinct voters";
    IntegritySubmissions => "有效提交（含被替换）", "Accepted submissions (incl. replaced)";
    IntegrityReplaced => "被本人新选票替换", "Replaced by the voter's later ballot";
    IntegrityRefused => "被拒绝的提交", "Refused submissions";
    IntegrityMethod => "投票人核验方式", "Voter check";
    RefusedRateLimited => "频率超限", "Rate limited";
    RefusedHoneypot => "疑似机器人", "Suspected bot";
    RefusedBadCode => "验证码错误、过期或已使用", "Wrong, expired or used code";
    RefusedClosed => "不在投票期内", "Outside the voting period";
    RefusedInvalid => "选项不符合规则", "Picks against the rules";
    // 抽检结果
    ResultsTitle => "抽检结果", "Sampling results";
    ResultsIntro => "市场监管部门公布的食品抽检结果，含你点我检与日常抽检。", "Food sampling results published by the regulator, from 你点我检 rounds and routine sampling.";
    ResultsNone => "没有符合条件的抽检结果。", "No result matches.";
    ResultsCount => "共 {n} 批次", "{n} batches";
    ResultsRoundTitle => "本期抽检结果", "This round's results";
    ResultFood => "食品", "Food";
    ResultPlace => "抽样地点", "Sampled at";
    ResultBusiness => "被抽样单位", "Business";
    ResultDate => "抽样日期", "Date";
    ResultItems => "检验项目", "Items tested";
    ResultVerdict => "结论", "Verdict";
    ResultPass => "合格", "Pass";
    ResultFail => "不合格", "Fail";
    ResultFailing => "不合格项目", "Failing items";
    ResultMeasured => "检验结果", "Measured";
    ResultLimit => "标准要求", "Limit";
    ResultReport => "检验报告（PDF）", "Lab report (PDF)";
    ResultsFilterFood => "食品名称", "Food";
    ResultsFilterVerdict => "结论", "Verdict";
    ResultsFilterRound => "期次", "Round";
    ResultsRoutine => "日常抽检", "Routine sampling";
    PlaceMarket => "农贸市场", "Market";
    PlaceSupermarket => "超市", "Supermarket";
    PlaceRestaurant => "餐饮单位", "Restaurant";
    PlaceOnline => "网络平台", "Online platform";
    BusinessResultsTitle => "抽检记录", "Sampling record";
    // Staff: rounds, nominations, results
    StaffRoundsTitle => "你点我检管理", "You Pick, We Test: rounds";
    StaffRoundNew => "新建一期", "New round";
    StaffRoundEdit => "编辑本期", "Edit round";
    StaffRoundSave => "保存", "Save";
    RoundTitleLabel => "标题", "Title";
    RoundDescriptionLabel => "说明", "Description";
    RoundNominateFrom => "提名开始日期", "Nominations open";
    RoundVoteFrom => "投票开始日期", "Voting opens";
    RoundVoteUntil => "投票截止日期（含当天）", "Last day of voting";
    RoundPublishAt => "结果公布日期", "Results due";
    RoundShowLive => "投票期间公布实时票数", "Show live counts while voting";
    RoundVoterCheck => "投票人核验", "Voter check";
    StaffCandidateAdd => "添加候选食品", "Add a candidate";
    StaffNominationsTitle => "待审核提名", "Nominations to moderate";
    StaffNominationsNone => "没有待审核的提名。", "No nomination awaits moderation.";
    DecideApprove => "采纳为候选", "Accept as candidate";
    DecideMerge => "并入候选", "Merge into";
    DecideReject => "不采纳", "Reject";
    DecideReason => "不采纳理由", "Reason for rejection";
    StaffResultsTitle => "发布抽检结果", "Publish sampling results";
    StaffResultPublish => "发布", "Publish";
    ResultItemsHint => "每行一个检验项目", "One item per line";
    ResultFailuresHint => "每行一个不合格项目：项目 | 检验结果 | 标准要求", "One failing item per line: item | measured | limit";
    ResultCandidate => "对应候选食品（选填）", "Candidate (optional)";
    ResultCreditCode => "统一社会信用代码（登记在册的单位）", "Credit code (businesses in the registry)";
    ResultBusinessName => "单位名称（未登记时填写）", "Business name (if not in the registry)";
    ResultPublished => "抽检结果已发布。", "Result published.";
    // 投诉 / 举报
    CaseKindComplaint => "投诉", "Complaint";
    CaseKindReport => "举报", "Report";
    ChannelWeb => "网上", "Web";
    ChannelHotline => "热线", "Hotline";
    ChannelCounter => "窗口", "Counter";
    ChannelSchoolBox => "校园投诉箱", "School complaint box";
    ChannelVolunteer => "志愿者", "Volunteer";
    ChannelPartner => "合作平台（Open311）", "Partner app (Open311)";
    StaffPartnersTitle => "Open311 合作平台密钥", "Open311 partner keys";
    PartnerName => "合作平台名称", "Partner name";
    PartnerQuotaMin => "每分钟限额（留空用默认值）", "Per-minute quota (empty: the default)";
    PartnerQuotaDay => "每日限额（留空用默认值）", "Per-day quota (empty: the default)";
    PartnerIssue => "签发密钥", "Issue a key";
    PartnerRevoke => "吊销", "Revoke";
    PartnerRevoked => "已吊销", "Revoked";
    PartnerActive => "有效", "Active";
    PartnerKeyOnce => "新密钥只显示这一次，请立即交给合作平台：", "The new key is shown this once; hand it to the partner now:";
    PartnerCases => "已提交件数", "Cases filed";
    PartnerNone => "还没有合作平台。", "No partners yet.";
    StateSubmitted => "已提交", "Submitted";
    StateAccepted => "已受理", "Accepted";
    StateRejected => "不予受理", "Not accepted";
    StateInvestigating => "调查中", "Under investigation";
    StateSubstantiated => "查证属实", "Substantiated";
    StateUnsubstantiated => "查无实据", "Unsubstantiated";
    StateClosed => "已办结", "Closed";
    RejectDuplicate => "重复举报", "Duplicate";
    RejectOutOfScope => "不属于本部门职责", "Outside our remit";
    RejectInsufficient => "线索不足", "Insufficient information";
    RewardEligible => "符合奖励条件", "Eligible for a reward";
    RewardApproved => "奖励已批准", "Reward approved";
    RewardNotified => "已通知领取", "Notified to claim";
    RewardPaid => "奖励已发放", "Reward paid";
    RewardIneligible => "不符合奖励条件", "Not eligible for a reward";
    ReportTitle => "投诉举报", "Report a problem";
    ReportIntro => "发现食品安全问题？在这里投诉或举报。举报查证属实可获奖励，举报人信息严格保密。", "Seen a food-safety problem? File a complaint or a report here. Substantiated reports are rewarded; your identity stays confidential.";
    ReportKind => "类型", "Type";
    ReportKindComplaintHint => "投诉：您本人的消费纠纷，由我们调解。", "Complaint: your own consumer dispute, which we mediate.";
    ReportKindReportHint => "举报：违法违规线索，查实有奖。", "Report: a clue to a violation; rewarded when substantiated.";
    ReportBusinessCode => "商户统一社会信用代码（可选）", "Business credit code (optional)";
    ReportBusinessName => "商户名称", "Business name";
    ReportCategory => "问题类别", "Category";
    ReportDescription => "发生了什么", "What happened";
    ReportOccurred => "发生日期", "Date";
    ReportPlace => "地点", "Place";
    ReportPhotos => "照片（最多5张，JPG/PNG/WebP，每张不超过8MB）", "Photos (up to 5, JPG/PNG/WebP, 8 MB each)";
    PhotosChosen => "已选 {n} 张照片", "{n} photo(s) chosen";
    PhotosTooMany => "已选 {n} 张，最多 {max} 张，请减少后再提交", "{n} photos chosen; at most {max}: remove some before sending";
    PhotosTooBig => "{n} 张照片超过 8MB，请换一张", "{n} photo(s) over 8 MB: choose smaller ones";
    ReportReporter => "您的联系方式（可选，留空即匿名）", "Your contact (optional; leave empty to stay anonymous)";
    ReportName => "姓名", "Name";
    ReportPhone => "手机号", "Mobile number";
    ReportPrivacy => "您的姓名和手机号加密保存，仅经授权的工作人员可查看，且每次查看都有记录。", "Your name and number are stored encrypted; only authorised staff can see them, and every look is recorded.";
    ReportSubmit => "提交", "Submit";
    ReportOpenCases => "该商户目前正在处理的投诉举报", "Open cases against this business";
    ReportAgainst => "投诉举报该商户", "Report this business";
    ReceiptTitle => "提交成功", "Received";
    ReceiptNumber => "受理编号", "Tracking number";
    ReceiptCode => "查询码", "Access code";
    ReceiptKeep => "请截图或抄下编号和查询码：查询码只显示这一次，凭它查询办理进度和奖励。", "Write down or screenshot both: the access code is shown only this once, and you need it to follow your case and any reward.";
    ReceiptGone => "这张回执已显示过或已过期，为保护查询码不再显示。请用受理编号和查询码查询进度。", "This receipt was already shown or has expired; to protect the access code it is not shown again. Use your tracking number and access code to follow your case.";
    TrackTitle => "进度查询", "Track a case";
    TrackSubmit => "查询", "Look up";
    TrackState => "当前状态", "Current state";
    TrackDeadline => "本阶段办理期限", "Deadline of this stage";
    TrackOverdue => "已超期，我们正在督办。", "Overdue; this is being chased.";
    TrackTimeline => "办理记录", "Timeline";
    TrackReward => "奖励", "Reward";
    TrackRewardAmount => "奖励金额（元）", "Reward (yuan)";
    TrackClaimBy => "领取截止", "Claim by";
    // 满意度评价 · 回访 (issue 20)
    RateTitle => "满意度评价", "Rate how your case was handled";
    RateIntro => "案件已办结，请在 {date} 前对办理结果作出评价（仅一次）。", "Your case has been decided. Please rate how it was handled by {date} (once).";
    RateLevel => "评价", "Rating";
    RateComment => "意见或理由（选填，要求重新办理时必填）", "Comment or reason (optional; required to ask for the case to be handled again)";
    RateReopen => "不满意，要求重新办理（仅限一次）", "Dissatisfied: handle my case again (once only)";
    RateSubmit => "提交评价", "Submit rating";
    RateThanks => "感谢您的评价。", "Thank you for your rating.";
    RateReopenedNotice => "您的案件已重新交办，我们将在 {date} 前再次答复。", "Your case has been handed back for handling; we will answer again by {date}.";
    RateClosed => "评价期已过。", "The rating period has ended.";
    RateRound => "第 {n} 次办理", "Handling {n}";
    RateByPhone => "电话回访", "Phone call-back";
    RateYours => "您的评价", "Your rating";
    TimelineReopened => "回访不满意，案件重新办理", "Rated dissatisfied: the case is being handled again";
    StaffReopenedFlag => "回访不满意", "Reopened after a dissatisfied rating";
    StaffCallbackTitle => "电话回访", "Phone call-back";
    StaffCallbackIntro => "热线、窗口等渠道的案件办结后，由工作人员电话回访并记录举报人的评价。", "For hotline, counter and other cases, staff call the reporter back after the decision and record the rating.";
    StaffCallbackSubmit => "记录回访评价", "Record the call-back rating";
    StatsSatisfactionTitle => "群众满意度", "Public satisfaction";
    StatsSatisfactionRate => "满意率", "Satisfaction rate";
    StatsSatisfactionNote => "满意率 =（非常满意 + 满意 + 基本满意）÷ 全部评价；含举报人在线评价和电话回访。", "Satisfaction rate = (very satisfied + satisfied + fairly satisfied) ÷ all ratings, online and by phone call-back.";
    StatsRatings => "评价数", "Ratings";
    StatsReopenedShare => "重新办理率", "Cases reopened";
    StatsByChannel => "按渠道", "By channel";
    StatsByDistrict => "按区县", "By district";
    StatsGroup => "分组", "Group";
    // 投诉公示 (issue 20)
    DisclosureTitle => "投诉举报公示（近12个月）", "Complaints decided (last 12 months)";
    DisclosureIntro => "仅统计已办结的投诉举报，不含办理中的案件，不公开举报人信息。", "Only decided cases are counted; open cases are not shown, and no reporter is ever named.";
    DisclosureNone => "近12个月无已办结的投诉举报。", "No decided complaints in the last 12 months.";
    DisclosureTotal => "已办结", "Decided";
    DisclosureByCategory => "按类别", "By category";
    DisclosureByOutcome => "按结果", "By outcome";
    OutcomeSubstantiated => "查证属实", "Substantiated";
    OutcomeSettled => "调解成功", "Settled";
    OutcomeUnsubstantiated => "查无实据", "Unsubstantiated";
    StaffCasesTitle => "投诉举报处理", "Complaints and reports";
    StaffCasesOverdue => "超期未办", "Overdue";
    StaffCasesOpen => "待办", "Open";
    StaffCaseQuickEntry => "电话/窗口快速登记", "Quick entry (phone, counter…)";
    StaffCaseChannel => "来源渠道", "Channel";
    StaffCaseMove => "办理", "Handle";
    StaffCaseTo => "转为", "Move to";
    StaffCaseNote => "内部备注（不公开）", "Internal note (not public)";
    StaffCaseMessage => "给举报人的公开回复", "Public message to the reporter";
    StaffCaseDuplicateOf => "重复举报的原编号", "Tracking number of the original";
    StaffCaseAssign => "指派给", "Assign to";
    StaffCaseReveal => "查看举报人联系方式（将被记录）", "Show the reporter's contact (recorded)";
    StaffCaseAnonymous => "匿名", "Anonymous";
    StaffCasePhotos => "证据照片", "Evidence photos";
    StaffCaseSimilar => "同一商户的其他在办案件", "Other open cases against this business";
    StaffCalendar => "节假日安排", "Holiday calendar";
    StaffCalendarDay => "日期", "Day";
    StaffCalendarKind => "类型", "Kind";
    CalendarHoliday => "法定节假日（休息）", "Public holiday (off)";
    CalendarWorkday => "调休上班", "Adjusted working day";
    CalendarNormal => "恢复正常", "Back to normal";
    StaffRewardSet => "核定奖励", "Set the reward";
    RewardLevelLabel => "奖励等级", "Reward level";
    RewardBaseLabel => "罚没款金额（元）", "Fines and confiscations (yuan)";
    StaffOutbox => "待投递的消息", "Messages waiting to be delivered";
    StaffOutboxEmpty => "全部已投递。", "Everything has been delivered.";
    StaffOutboxAttempts => "尝试次数", "attempts";
    StaffOutboxNext => "下次尝试", "next try";
    ErrPhaseClosed => "当前阶段不接受此操作。", "This round is not open for that now.";
    ErrSmsNotConfigured => "未配置短信网关，无法使用短信验证。", "No SMS gateway is configured, so SMS verification is unavailable.";
    ErrInvalidCode => "验证码错误、已过期或已使用。", "The code is wrong, expired or already used.";
    ErrIdempotencyConflict => "此提交编号已用于另一份内容不同的提交，请刷新页面后重新填写。", "This submission key was already used for different content. Reload the page and submit again.";
    ErrPhotosBusy => "照片处理繁忙，请稍后再提交。", "Too many photos are being processed right now. Please submit again shortly.";
    // Follow (Atom feeds per subject)
    FeedEventRecorded => "新增信用记录", "New credit record";
    FeedGradeChange => "信用评级", "Credit grade";
    FeedFailingBatch => "抽检不合格", "Failing batch";
    FeedConsumerAlert => "消费提示", "Consumer alert";
    FeedVotingOpens => "开始投票", "Voting opens";
    FeedVotingCloses => "投票结束", "Voting closes";
    FeedResultsPublished => "公布抽检结果", "Results published";
    FeedOfBusiness => "企业动态", "Business updates";
    FeedOfDistrict => "辖区动态", "District updates";
    FeedOfFood => "食品类别动态", "Food category updates";
    FeedOfRound => "你点我检轮次动态", "Round updates";
    FollowFeed => "关注（Atom 订阅）", "Follow (Atom feed)";
    FollowHint => "无需注册：把链接粘贴到任意阅读器即可关注。", "No account needed: paste the link into any feed reader.";
    FollowGradeDrops => "仅降级", "grade drops only";
    FollowFailingBatches => "仅不合格批次", "failing batches only";
    FollowAll => "全部动态", "all updates";
    FeedScore => "{score} 分", "score {score}";
    // 关注 by SMS (#21)
    SmsFollowNotice => "【食安绵阳】{title} 详情{link} 退订{stop}或回复TD", "[Food-Safe Mianyang] {title} More: {link} Stop: {stop} or reply TD";
    SmsFollowDigest => "【食安绵阳】您关注的{subject}今日{n}条动态：{titles}。详情{link} 退订{stop}或回复TD", "[Food-Safe Mianyang] {n} updates today on {subject}: {titles}. More: {link} Stop: {stop} or reply TD";
    SmsDigestMore => "等（另{n}条）", " and {n} more";
    SmsFollowCode => "【食安绵阳】关注提醒验证码 {code}，10分钟内有效。非本人操作请忽略。", "[Food-Safe Mianyang] Your code to follow updates is {code}, valid 10 minutes. Ignore it if you did not ask.";
    FollowSmsLink => "短信提醒", "SMS alerts";
    FollowSmsTitle => "短信关注", "Follow by SMS";
    FollowSmsLead => "留下手机号，{subject}有新动态时我们发短信告诉您。无需注册；每条短信都可一步退订，也可回复 TD 退订。", "Leave your mobile number and we text you when {subject} has news. No account needed; every text has a one-step unsubscribe, or reply TD.";
    FollowSmsPhone => "手机号", "Mobile number";
    FollowSmsMode => "提醒方式", "How often";
    FollowSmsSend => "发送验证码", "Send the code";
    FollowSmsCodeSent => "验证码已发送到您的手机，10 分钟内有效。输入验证码后开始提醒。", "A code was sent to your phone, valid 10 minutes. Alerts start once you enter it.";
    FollowSmsCode => "短信验证码", "Code from the text";
    FollowSmsConfirm => "确认关注", "Confirm";
    FollowSmsDone => "已开通短信提醒。每条短信都附退订链接，也可回复 TD 退订。", "SMS alerts are on. Every text carries an unsubscribe link, or reply TD.";
    FollowSmsUnavailable => "本站暂未开通短信提醒，可使用上方的 Atom 订阅。", "SMS alerts are not available here: use the Atom feed above.";
    FollowSmsCap => "每个手机号每天最多收到 {n} 条即时提醒，超出的并入当晚汇总。", "A phone gets at most {n} alerts a day; the rest go into that evening's digest.";
    FollowTitle => "关注", "Follow";
    UnsubscribeTitle => "退订短信提醒", "Stop SMS alerts";
    UnsubscribeLead => "退订后，不再向您的手机发送关于{subject}的短信。", "Once unsubscribed, your phone gets no more texts about {subject}.";
    UnsubscribeButton => "退订", "Unsubscribe";
    UnsubscribeDone => "已退订，不会再收到这项关注的短信。", "Unsubscribed: no more texts about this.";
    WebhooksTitle => "合作方推送", "Partner webhooks";
    WebhooksLead => "向区县局系统、媒体等合作方推送评级变化、不合格批次、消费提示和你点我检进展。每次推送带时间戳签名，失败自动重试，同一对象按顺序送达。", "Push grade changes, failing batches, consumer alerts and round steps to partners (district bureaus, newsrooms). Each delivery is signed with a timestamp, retried until it succeeds, and in order per subject.";
    WebhookRegister => "登记推送地址", "Register a receiver";
    WebhookName => "合作方名称", "Partner";
    WebhookUrl => "接收地址（URL）", "Receiver URL";
    WebhookEvents => "推送内容", "Events";
    WebhookWaiting => "待送达", "Waiting";
    WebhookDelivered => "已送达", "Delivered";
    WebhookPending => "待送达", "waiting";
    WebhookSecret => "签名密钥（查看将记入审计日志）", "Signing secret (viewing it is audited)";
    WebhookSecretHint => "接收方用此密钥校验 X-Portal-Signature：t=时间戳,v1=HMAC-SHA256(\"t.Idempotency-Key.正文\")，拒绝 5 分钟前的请求。", "Receivers check X-Portal-Signature with it: t=timestamp,v1=HMAC-SHA256(\"t.Idempotency-Key.body\"), refusing requests older than 5 minutes.";
    WebhookDisable => "停用", "Turn off";
    WebhookEnable => "启用", "Turn on";
    WebhookLog => "推送记录", "Delivery log";
    WebhookSubject => "对象", "Subject";
    WebhookQueued => "生成时间", "Queued";
    WebhookAttempts => "尝试（时间 结果 耗时）", "Attempts (time, outcome, duration)";
    NavWebhooks => "合作方推送", "Partner webhooks";
    // News
    NewsIntro => "市场监管部门发布的抽检公告、你点我检进展、举报奖励和食品安全科普。", "Sampling notices, You Pick We Test updates, report rewards and food-safety tips from the regulator.";
    NewsFeed => "订阅（Atom）", "Subscribe (Atom feed)";
    NewsTags => "栏目", "Topics";
    NewsNone => "暂无文章。", "No articles yet.";
    NewsTitle => "标题", "Title";
    NewsSummary => "摘要", "Summary";
    NewsBody => "正文", "Body";
    NewsMarkdownHint => "支持 Markdown：**粗体**、列表、表格、[链接](/results)", "Markdown: **bold**, lists, tables, [links](/results)";
    NewsStatus => "状态", "State";
    NewsStateDraft => "草稿", "Draft";
    NewsStateScheduled => "定时发布", "Scheduled";
    NewsStatePublished => "已发布", "Published";
    NewsPublish => "发布", "Publish";
    NewsPublishAt => "发布时间", "Publish at";
    NewsPublishAtHint => "北京时间；留空则立即发布。晚于现在的时间为定时发布，届时才会公开。", "China time; empty = now. A later time schedules the article: it is not public before then.";
    NewsCover => "封面图片（JPG/PNG/WebP，不超过4MB）", "Cover image (JPG/PNG/WebP, up to 4 MB)";
    NewsCoverAlt => "封面图片说明（供读屏软件朗读）", "Cover description (read out by screen readers)";
    NewsRemoveCover => "删除现有封面", "Remove the current cover";
    NewsSave => "保存文章", "Save article";
    NewsSaved => "文章已保存。", "Article saved.";
    NewsNew => "写新文章", "New article";
    NewsUpdated => "最后修改", "Last edited";
    NewsView => "查看公开页面", "View the public page";
    StaffNewsTitle => "新闻管理", "News";
    HomeNewsTitle => "最新动态", "Latest news";
    HomeNewsMore => "更多新闻", "More news";
    // Statistics
    StatsTitle => "数据统计", "Statistics";
    StatsIntro => "以下数据由本站实时统计生成，并非人工填报。", "These figures are counted live from the portal's data, not typed in.";
    StatsLiveTitle => "实时数据", "Live figures";
    StatsMore => "查看全部统计数据", "All statistics";
    StatsComputedAt => "统计时间", "Counted at";
    StatsReportedNote => "以下为活动通报的成果数据（人工发布），与上方实时统计分开列示。", "Reported figures published by the campaign (entered by staff), shown apart from the live counts.";
    StatsBusinesses => "登记食品经营主体", "Businesses in the registry";
    StatsPassRate => "抽检合格率", "Sampling pass rate";
    StatsBatches => "已公布抽检批次", "Sampled batches published";
    StatsBallots => "你点我检投票数", "Ballots cast";
    StatsRounds => "已完成投票的期数", "Rounds held";
    StatsCasesReceived => "收到投诉举报", "Cases received";
    StatsCasesAccepted => "已受理", "Cases accepted";
    StatsOnTime => "按时处理率（7个工作日内）", "Decided on time (7 working days)";
    StatsSubstantiated => "查证属实", "Substantiated";
    StatsRewards => "已发放奖励（笔 · 金额）", "Rewards paid (count · amount)";
    StatsGrades => "信用等级分布", "Businesses by credit grade";
    StatsIndexTitle => "消费环境指数", "Consumption-environment index";
    StatsIndexFormula => "指数 = 0.5 × 信用等级得分（A=100，B=80，C=50，D=0 的平均）+ 0.3 × 抽检合格率 + 0.2 × (100 − 每千户查证属实举报数 × 10，最低为0)。", "Index = 0.5 × mean grade score (A=100, B=80, C=50, D=0) + 0.3 × sampling pass rate + 0.2 × (100 − 10 × substantiated cases per 1,000 businesses, at least 0).";
    StatsIndex => "指数", "Index";
    StatsRank => "排名", "Rank";
    StatsShareA => "A级占比", "Share graded A";
    // API documentation
    ApiIntro => "本站公开数据的 JSON 接口：信用查询、你点我检、抽检结果、投诉举报进度、新闻和统计。按客户端限流，超出时返回 429 和 Retry-After。", "JSON access to the portal's public data: credit, You Pick We Test, sampling results, case tracking, news and statistics. Rate limited per client: 429 with Retry-After when exceeded.";
    ApiDownloads => "整库下载（每天更新）", "Bulk downloads of the registry";
    ApiFeed => "新闻订阅", "News feed";
    ApiLicenceTitle => "数据许可", "Licence";
    ApiLicence => "本站公开数据依据《知识共享 署名 4.0》(CC BY 4.0) 开放：可自由使用、转载和加工，请注明来源“食安绵阳（绵阳市市场监督管理局）”及数据获取时间。举报人信息等个人数据不在开放范围内。", "The public data is open under Creative Commons Attribution 4.0 (CC BY 4.0): use, share and adapt it freely, citing \"Food-Safe Mianyang (Mianyang Administration for Market Regulation)\" and when you fetched it. Personal data such as reporters' details is never part of it.";
    ApiQuotasTitle => "调用频率限制", "Rate limits";
    ApiQuotasIntro => "每个客户端（IP 地址）每分钟的请求上限；响应头 RateLimit-* 给出剩余次数。", "Requests per minute per client (IP address); the RateLimit-* headers tell what is left.";
    ApiQuotaRead => "查询接口", "Reads";
    ApiQuotaDownload => "整库下载", "Bulk downloads";
    ApiQuotaWrite => "提交（举报、提名等）", "Writes (reports, nominations…)";
    ApiQuotaVote => "投票", "Ballots";
    PerMinute => "次/分钟", "/ min";
    PerDay => "次/天", "/ day";
    StaffCasesNewest => "最新收到", "Newest first";
    ApiBoundsTitle => "每个网络的提交上限", "Bounds per network";
    ApiBoundsIntro => "同一网络（IPv4 /24、IPv6 /64）每分钟和每天可提交的次数，所有服务器实例共同计数；超出后返回 429 和 Retry-After。校园和运营商网络中许多人共用地址，所以这些上限按人均算很宽松。", "What one network (IPv4 /24, IPv6 /64) may submit per minute and per day, counted across every server instance; past it, 429 with Retry-After. Campuses and carriers put many people behind one network, so these are generous per person.";
    ApiBoundCases => "投诉举报", "Complaints and reports";
    ApiBoundDrafts => "未通过校验而保留的表单", "Failed forms kept for correction";
    ApiBoundNominations => "你点我检提名", "Nominations";
    ApiBoundReplies => "商户回应与信用修复申请", "Business replies and repair requests";
    ApiBoundBallots => "你点我检投票", "Ballots";
    ApiBoundSms => "短信验证码", "SMS codes";
    ApiBoundPhotos => "每个网络每天的证据照片（MB）", "Evidence photos per network per day (MB)";
    ApiBoundDevices => "每个网络每轮每小时新发放的投票设备", "New voting devices per network per round per hour";
    ApiBoundSmsPhone => "每个手机号每天的验证码", "Codes per phone number per day";
    ApiBoundSmsBudget => "全市每天的短信总量", "SMS messages per day, city-wide";
    ApiOperations => "接口列表", "Operations";
    ApiStatuses => "状态码", "Statuses";
    ApiExample => "示例请求", "Example request";
    // Poster
    PosterTitle => "宣传海报", "Poster";
    PosterSlogan => "食品安全 你我共治", "Food safety: ours to keep, together";
    PosterScan => "扫码进入“食安绵阳”", "Scan to open Food-Safe Mianyang";
    PosterQrAlt => "“食安绵阳”网站二维码", "QR code of the Food-Safe Mianyang site";
    PosterPrintHint => "用浏览器打印即可得到A4海报。", "Print this page for an A4 poster.";
    // Abuse bounds of 你点我检 (issue 18)
    ErrVoterRequired => "无法识别投票人：请先打开本期页面（需允许 Cookie）再投票或提名。", "No voter identity: open the round's page first (with cookies allowed), then vote or nominate.";
    ErrSmsBudgetExhausted => "今日短信验证码已达全市发送上限，请于明日（北京时间零点后）再试。", "Today's city-wide budget of SMS codes is spent. Please try again tomorrow (after midnight China time).";
    RefusedNoVoter => "未携带投票人标识", "No voter identity";
    IntegrityNetworks => "来源网络数", "Networks ballots came from";
    IntegrityTopNetworks => "前10个网络的选票占比", "Share of ballots from the top 10 networks";
    IntegrityNewDevices => "投票前1小时内才获得标识的设备所投选票", "Ballots from devices issued less than an hour before voting";
    IntegrityConcentrationNote => "网络按 IPv4 /24、IPv6 /64 计，仅保存加密散列；校园和单位常共用一个网络，占比高不一定是刷票。", "Networks are IPv4 /24 and IPv6 /64 prefixes, stored only as keyed hashes; campuses and offices share one network, so a high share is not proof of stuffing.";
    VoterNetworkBusy => "你所在网络新参与投票的设备过多，请稍后再试，或换用其他网络。", "Too many new voters from your network right now. Please try again later, or from another network.";
    StaffSmsToday => "今日短信验证码", "SMS codes today";
    StaffSmsExhausted => "今日短信预算已用完，短信核验的投票暂停至北京时间零点。", "Today's SMS budget is spent: SMS-verified voting pauses until midnight China time.";
    // 核查处置 of failing batches and 消费提示 (issue 20)
    DisposalTitle => "核查处置", "What was done";
    DisposalDone => "已完成", "Done";
    DisposalLate => "逾期完成", "Done late";
    DisposalDue => "待办理", "Due";
    DisposalOverdue => "已逾期", "Overdue";
    DisposalWaiting => "待前一步完成", "Waits for the step before";
    DisposalOptional => "可申请", "May be requested";
    DisposalNotNeeded => "无需办理", "Not needed";
    DisposalDeadline => "期限", "Due by";
    DisposalRemoved => "下架", "Taken off sale";
    DisposalRecalled => "召回", "Recalled";
    DisposalUnit => "单位", "Unit";
    DisposalRetestResult => "复检结果", "Retest result";
    DisposalDecisionNo => "处罚决定书文号", "Decision number";
    DisposalMeasures => "处罚措施", "Measures ordered";
    DisposalNote => "说明（公开）", "Note (public)";
    DisposalKind => "步骤", "Step";
    DisposalDoneOn => "办理日期", "Date taken";
    DisposalAddStep => "记录处置步骤", "Record a step";
    DisposalSaved => "处置步骤已记录。", "Step recorded.";
    DisposalQuantityHint => "数字，最多三位小数", "A number, up to three decimals";
    DisposalOrderHint => "顺序：核查 → 控制 / 复检 / 立案 → 处罚（立案后）→ 整改复查（最后）。", "Order: verification → control / retest / case opened → penalty (after the case) → follow-up inspection (last).";
    DisposalNone => "尚无处置记录。", "Nothing recorded yet.";
    DisposalSummaryBatches => "{n} 批抽检", "{n} batches sampled";
    DisposalSummaryFailed => "{n} 批不合格", "{n} failed";
    DisposalSummaryRemoved => "已下架 {n}", "{n} taken off sale";
    DisposalSummaryRecalled => "已召回 {n}", "{n} recalled";
    DisposalSummaryCaseFiled => "已立案", "case opened";
    DisposalSummaryPenalised => "已作出处罚", "penalty decided";
    DisposalSummaryOverdue => "处置逾期", "disposal overdue";
    DisposalAlert => "消费提示", "Consumer alert";
    DisposalPublishAlert => "就此批次发布消费提示", "Publish a consumer alert about this batch";
    StaffDisposalTitle => "不合格批次的核查处置", "Disposal of failing batches";
    StaffBatchTitle => "抽检批次 #{id}", "Sampling batch #{id}";
    StaffDisposalOpen => "处置记录", "Disposal record";
    HomeAlertsTitle => "消费提示", "Consumer alerts";
    NewsBatchId => "关联的抽检批次编号（消费提示，可留空）", "Sampling batch number (consumer alerts; optional)";
    // Objections, credit repair, re-inspection (异议 · 信用修复 · 申请复查)
    ErrWindowClosed => "不在可申请的期限内（异议须在公示之日起15个工作日内提出；信用修复须在最短公示期满后申请）。", "Outside the window for this request (an objection within 15 working days of publication; a credit repair after the minimum publicity period).";
    ObjectionsTitle => "异议与信用修复", "Objections and credit repair";
    ObjectionsIntro => "对已公示的信用事项有异议的，可在公示之日起15个工作日内提出异议；已整改且最短公示期满的，可申请信用修复；整改完成后可申请复查。每项申请都有决定期限，决定及理由在此公开。", "A business may object to a published record within 15 working days of its publication, apply for credit repair once it has corrected the problem and the minimum publicity period has run, or ask for a re-inspection after correcting. Each request has a deadline; decisions and their reasons are published here.";
    ObjectionOpen => "我是该商户：提出异议、申请信用修复或复查", "I run this business: object, apply for credit repair or ask for a re-inspection";
    ObjectionKindLabel => "申请类型", "Request";
    ObjectionEvent => "所涉信用事项", "Record concerned";
    ObjectionEventNone => "不涉及具体事项（仅限申请复查）", "None (re-inspection requests only)";
    ObjectionLicence => "食品经营（生产）许可证编号（用于核实商户身份）", "Food licence number (to verify it is your business)";
    ObjectionStatement => "理由或整改情况（10–2000字）", "Grounds or corrections made (10–2000 characters)";
    ObjectionSubmit => "提交申请", "Submit the request";
    ObjectionReceived => "申请已登记，将在决定期限内作出决定并公开。", "Your request is registered; it will be decided and published within its deadline.";
    ObjectionFiled => "提出日期", "Filed";
    ObjectionDue => "决定期限", "Decision due";
    ObjectionDecided => "决定日期", "Decided";
    ObjectionReasons => "决定理由", "Reasons";
    ObjectionStateLabel => "状态", "State";
    ObjectionNone => "暂无异议、信用修复或复查申请。", "No objections, credit repairs or re-inspection requests.";
    ObjectionOverdue => "已超期", "Overdue";
    ObjectionOpenNote => "该商户有一项异议正在处理，决定期限：", "An objection by this business is being decided; decision due:";
    NewRatingPending => "新评级待公布", "New rating pending";
    NewRatingPendingNote => "该商户有新的信用事项，新评级将在异议期满或异议决定后公布；在此之前仍显示原评级。", "A new record lowers this business's rating; the new rating is published when the objection window closes or an objection is decided. Until then the rating in force is shown.";
    AwaitingInspection => "待检查", "Awaiting inspection";
    AwaitingInspectionNote => "该商户尚未接受检查，暂无信用评级。", "This business has not been inspected yet and has no rating.";
    RatingDate => "评级日期", "Rating date";
    WaiveTitle => "放弃异议，立即公布新评级", "Waive objection and publish the new rating now";
    WaiveSubmit => "放弃异议", "Waive objection";
    Waived => "已放弃异议，新评级已公布。", "Objection waived; the new rating is published.";
    EventAnnulled => "已撤销（异议成立或信用修复）", "Annulled (objection upheld or credit repaired)";
    EventIdLabel => "事项编号", "Record no.";
    StaffObjectionsTitle => "异议与信用修复申请", "Objections and credit repair requests";
    DecisionReasons => "决定理由（公开）", "Reasons (published)";
    ObjectionPhone => "手机号码（接收验证码，仅用于核实）", "Mobile number (for the verification code only)";
    ObjectionSmsCode => "短信验证码", "SMS code";
    ObjectionSendCode => "发送验证码", "Send code";
    ObjectionCodeSent => "验证码已发送，10分钟内有效。请填写表单并输入验证码后提交。", "A code is on its way, valid 10 minutes. Fill in the form with the code and submit.";
    ReplyDisputeHint => "对评级或信用事项有异议，请使用上方的“异议与信用修复”。", "To dispute a rating or a record, use “Objections and credit repair” above.";
    NavVolunteers => "志愿者", "Volunteers";
    VolunteersTitle => "食安志愿者", "Food-safety volunteers";
    VolunteersIntro => "外卖小哥、快递小哥、社区网格员、出租车司机、自媒体代表、广场舞阿姨……走街串巷的你，随手一拍，帮我们发现食品安全问题。审核通过后，在商户或摊位页面点三下即可快报；查证属实的每条快报得 {points} 分。", "Delivery riders, couriers, grid workers, taxi drivers, creators, square dancers: you are out on the streets every day. Once approved, report a problem from a business's or a stall's page in three taps; each report found substantiated earns {points} points.";
    VolunteersHowTitle => "如何加入", "How to join";
    VolunteersHow => "填写所属群体、所在区县和手机号提交报名，记下志愿者编号和登录码；工作人员审核通过后即可登录快报。", "Give your group, district and mobile number, and keep the volunteer number and sign-in code you are shown; once staff approve you, sign in and report.";
    VolunteersJoinLink => "报名加入", "Join";
    VolunteersLoginLink => "志愿者登录", "Volunteer sign-in";
    VolunteersMeLink => "我的快报与积分", "My reports and points";
    VolunteersByGroup => "按群体排行", "By group";
    VolunteersByDistrict => "按区县排行", "By district";
    VolunteersBoardNote => "排行只统计人数、快报和积分，不显示任何姓名、手机号或编号。", "The board counts people, reports and points only: no names, phones or numbers.";
    VolunteersColGroup => "群体", "Group";
    VolunteersColCount => "志愿者", "Volunteers";
    VolunteersColReports => "快报", "Reports";
    VolunteersColSubstantiated => "查证属实", "Substantiated";
    VolunteersColPoints => "积分", "Points";
    VolunteersBoardEmpty => "还没有志愿者。", "No volunteers yet.";
    VolunteerGroup => "所属群体", "Group";
    VolunteerPhone => "手机号", "Mobile number";
    VolunteerConsent => "我同意：手机号加密保存，仅用于核实身份；快报如实反映，不捏造。", "I agree: my number is kept encrypted, used only to verify me; my reports are truthful.";
    VolunteerJoinTitle => "报名成为食安志愿者", "Join the food-safety volunteers";
    VolunteerJoinSubmit => "提交报名", "Sign up";
    VolunteerJoinedTitle => "报名已提交", "Sign-up received";
    VolunteerJoinedKeep => "请记下志愿者编号和登录码。登录码只显示这一次，遗失后无法找回。", "Keep your volunteer number and sign-in code. The code is shown only this once and cannot be recovered.";
    VolunteerJoinedPending => "工作人员审核通过后，即可用编号和登录码登录快报。", "Once staff approve you, sign in with the number and code to report.";
    VolunteerJoinedGone => "报名回执只显示一次，已经显示过了。", "A sign-up receipt is shown once, and this one has been.";
    VolunteerNumber => "志愿者编号", "Volunteer number";
    VolunteerSignInCode => "登录码", "Sign-in code";
    VolunteerVerifyLead => "验证码已发送到您的手机，10 分钟内有效。请输入验证码确认手机号。", "A code was sent to your phone, valid 10 minutes. Enter it to confirm your number.";
    VolunteerSmsCode => "短信验证码", "Code from the text";
    VolunteerVerifySubmit => "确认手机号", "Confirm my number";
    VolunteerVerified => "手机号已确认。", "Your number is confirmed.";
    VolunteerLoginTitle => "志愿者登录", "Volunteer sign-in";
    VolunteerLoginSubmit => "登录", "Sign in";
    VolunteerLogout => "退出登录", "Sign out";
    VolunteerReportLink => "志愿者随手拍/快报", "Volunteer quick report";
    VolunteerReportTitle => "志愿者快报", "Volunteer report";
    VolunteerReportPick => "发现了什么问题？点一下：", "What did you see? Tap one:";
    VolunteerReportConfirm => "确认提交这条快报？", "Send this report?";
    VolunteerReportNote => "补充说明（可不填）", "A short note (optional)";
    VolunteerReportSubmit => "确认提交", "Send";
    VolunteerReportBack => "重新选择", "Choose again";
    VolunteerReportFiled => "快报已提交，案件编号 {no}。查证属实即可得积分。", "Report sent: case {no}. It earns points if substantiated.";
    VolunteerNeedSignIn => "快报需要先登录志愿者账号。还不是志愿者？欢迎报名加入。", "Reports need a volunteer sign-in. Not a volunteer yet? Join us.";
    VolunteerNotApproved => "您的志愿者账号状态为“{state}”，审核通过后才能快报。", "Your volunteer account is “{state}”: you can report once approved.";
    VolunteerMeTitle => "我的快报与积分", "My reports and points";
    VolunteerPoints => "积分", "Points";
    VolunteerStateLabel => "状态", "Status";
    VolunteerNoReports => "还没有快报。", "No reports yet.";
    VolunteerUnverified => "手机未验证", "Phone not verified";
    VolunteerVerifiedLabel => "手机已验证", "Phone verified";
    VolunteerReportedAt => "提交时间", "Sent";
    VolunteerCaseNo => "案件编号", "Case number";
    VolunteerCaseState => "办理状态", "Case status";
    StaffVolunteersTitle => "志愿者审核", "Volunteers";
    VolunteerActions => "操作", "Actions";
    StaffVolunteersEmpty => "还没有报名。", "No sign-ups yet.";
    VolunteerApprove => "通过", "Approve";
    VolunteerReject => "拒绝", "Reject";
    VolunteerSuspend => "停用", "Suspend";
    VolunteerSignedUp => "报名时间", "Signed up";
    SmsVolunteerCode => "【食安绵阳】您的食安志愿者报名验证码是 {code}，10分钟内有效。", "[Shian Mianyang] Your volunteer sign-up code is {code}, valid 10 minutes.";
    StatsVolunteersTitle => "食安志愿者", "Food-safety volunteers";
    StatsVolunteers => "已通过审核的志愿者", "Approved volunteers";
    StatsVolunteerReports => "志愿者快报", "Volunteer reports";
    StatsVolunteerShare => "快报查证属实率", "Reports substantiated";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages() {
        for t in T::ALL {
            assert!(!t.get(Lang::Zh).trim().is_empty(), "{t:?} has no Chinese text");
            assert!(!t.get(Lang::En).trim().is_empty(), "{t:?} has no English text");
        }
    }

    #[test]
    fn both_languages_have_the_same_holes() {
        let holes = |s: &str| {
            let mut h: Vec<String> =
                s.split('{').skip(1).filter_map(|p| p.split_once('}')).map(|(n, _)| n.to_owned()).collect();
            h.sort();
            h
        };
        for t in T::ALL {
            assert_eq!(holes(t.get(Lang::Zh)), holes(t.get(Lang::En)), "{t:?} has different holes in zh and en");
        }
        assert_eq!(T::BallotPicked.fill(Lang::En, &[("n", "2"), ("max", "3")]), "2 of 3 picked");
        assert_eq!(
            fill("{n} / {n}", &[("n", "1"), ("x", "9")]),
            "1 / 1",
            "every hole of a name, unknown names ignored"
        );
    }

    #[test]
    fn chinese_texts_are_chinese() {
        // The language switch is deliberately in the other language.
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for t in T::ALL.iter().filter(|t| **t != T::SwitchLanguage) {
            assert!(cjk(t.get(Lang::Zh)), "{t:?} zh text has no Chinese: {}", t.get(Lang::Zh));
        }
    }

    #[test]
    fn negotiates_language() {
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr-FR, en;q=0.5, zh;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, Some("en;q=0")), Lang::Zh, "q=0 refuses English");
        assert_eq!(Lang::negotiate(None, Some("en;q=0, fr")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, Some("en;q=nan")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, Some("fr")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, None), Lang::Zh);
        assert_eq!(Lang::parse("zh_Hans"), Some(Lang::Zh));
    }
}
