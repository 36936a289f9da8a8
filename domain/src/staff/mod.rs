//! Staff roles and account rules.

use crate::error::{AppError, ErrCode};
use crate::i18n::T;
use crate::vocab::vocab;
use serde::{Deserialize, Serialize};

/// A staff role. Ordered by power: every role may do what the roles below it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "moderator" => Some(Role::Moderator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn label(self) -> T {
        match self {
            Role::Viewer => T::RoleViewer,
            Role::Moderator => T::RoleModerator,
            Role::Admin => T::RoleAdmin,
        }
    }

    /// Whether this role may do what `required` may.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }

    /// Checks a role against a requirement, as every staff route and server function does.
    pub fn require(self, required: Role) -> Result<(), AppError> {
        if self.allows(required) {
            Ok(())
        } else {
            Err(AppError::new(ErrCode::Forbidden))
        }
    }
}

/// A signed-in staff member, as pages and services see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

vocab! {
    /// What the audit log records: one value per kind of action, stored as `capability.verb` (the strings the log
    /// always held) and shown by its label. Append only: stored entries keep their strings.
    pub enum AuditAction {
        StaffLogin = "staff.login" / "登录" => "Signed in";
        StaffLoginFailed = "staff.login_failed" / "登录失败" => "Sign-in failed";
        StaffLogout = "staff.logout" / "退出登录" => "Signed out";
        StaffCreate = "staff.create" / "新建账号" => "Account created";
        StaffPasswordSet = "staff.password_set" / "设置密码" => "Password set";
        BusinessCreate = "business.create" / "新增商户" => "Business added";
        BusinessUpdate = "business.update" / "修改商户" => "Business updated";
        BusinessImportStarted = "business.import_started" / "开始批量导入" => "Registry import started";
        BusinessImport = "business.import" / "批量导入完成" => "Registry import finished";
        CreditEventAdd = "credit.event_add" / "登记信用事项" => "Credit event recorded";
        ReplyApproved = "reply.approved" / "通过商户回应" => "Business reply approved";
        ReplyRejected = "reply.rejected" / "驳回商户回应" => "Business reply rejected";
        ReplyContactsViewed = "reply.contacts_viewed" / "查看回应联系方式" => "Reply contacts viewed";
        FiguresUpdate = "figures.update" / "更新宣传数据" => "Campaign figures updated";
        RoundCreate = "picks.round_create" / "新建投票期" => "Round created";
        RoundUpdate = "picks.round_update" / "修改投票期" => "Round updated";
        CandidateAdd = "picks.candidate_add" / "添加候选食品" => "Candidate added";
        NominationApproved = "picks.nomination_approved" / "通过提名" => "Nomination approved";
        NominationMerged = "picks.nomination_merged" / "合并提名" => "Nomination merged";
        NominationRejected = "picks.nomination_rejected" / "驳回提名" => "Nomination rejected";
        SamplingPublish = "sampling.publish" / "发布抽检结果" => "Sampling result published";
        CaseFile = "cases.file" / "登记投诉举报" => "Case filed";
        CaseAccepted = "cases.accepted" / "受理" => "Case accepted";
        CaseRejected = "cases.rejected" / "不予受理" => "Case rejected";
        CaseInvestigating = "cases.investigating" / "开始调查" => "Investigation opened";
        CaseSubstantiated = "cases.substantiated" / "查证属实" => "Case substantiated";
        CaseUnsubstantiated = "cases.unsubstantiated" / "查证不属实" => "Case not substantiated";
        CaseClosed = "cases.closed" / "办结" => "Case closed";
        CaseAssign = "cases.assign" / "指派承办人" => "Case assigned";
        CaseRevealContact = "cases.reveal_contact" / "查看举报人联系方式" => "Reporter's contact revealed";
        CaseCallback = "cases.callback" / "记录电话回访评价" => "Call-back rating recorded";
        CalendarSet = "cases.calendar_set" / "设置工作日历" => "Working calendar set";
        RewardEligible = "cases.reward_eligible" / "奖励：符合条件" => "Reward: eligible";
        RewardApproved = "cases.reward_approved" / "奖励：已批准" => "Reward: approved";
        RewardNotified = "cases.reward_notified" / "奖励：已通知" => "Reward: notified";
        RewardPaid = "cases.reward_paid" / "奖励：已发放" => "Reward: paid";
        RewardIneligible = "cases.reward_ineligible" / "奖励：不符合条件" => "Reward: ineligible";
        NewsCreate = "news.create" / "新建文章" => "Article created";
        NewsUpdate = "news.update" / "修改文章" => "Article updated";
        DisposalStepAdd = "sampling.disposal_step" / "记录核查处置步骤" => "Disposal step recorded";
        ObjectionUpheld = "credit.objection_upheld" / "异议（申请）予以支持" => "Objection or repair upheld";
        ObjectionRejected = "credit.objection_rejected" / "异议（申请）不予支持" => "Objection or repair rejected";
        ObjectionWaived = "credit.objection_waived" / "商户放弃异议" => "Business waived its objection";
        ObjectionContactsViewed = "credit.objection_contacts_viewed" / "查看异议联系方式" => "Objection contacts viewed";
        WebhookRegister = "follow.webhook_register" / "登记合作方推送地址" => "Partner webhook registered";
        WebhookDisable = "follow.webhook_disable" / "停用合作方推送" => "Partner webhook disabled";
        WebhookEnable = "follow.webhook_enable" / "启用合作方推送" => "Partner webhook enabled";
        WebhookSecretViewed = "follow.webhook_secret_viewed" / "查看推送签名密钥" => "Webhook signing secret viewed";
        PartnerKeyIssued = "open311.key_issued" / "签发合作平台密钥" => "Partner key issued";
        PartnerKeyRevoked = "open311.key_revoked" / "吊销合作平台密钥" => "Partner key revoked";
        MarketCreate = "markets.create" / "新增市场" => "Market added";
        MarketKeyIssued = "markets.key_issued" / "签发市场密钥" => "Market key issued";
        MarketKeyRevoked = "markets.key_revoked" / "吊销市场密钥" => "Market key revoked";
        MarketUpload = "markets.upload" / "上传市场数据" => "Market data uploaded";
        MarketCaseOpened = "markets.case_opened" / "快检不合格立案" => "Case opened from a rapid test";
        VolunteerApproved = "volunteers.approved" / "通过志愿者申请" => "Volunteer approved";
        VolunteerRejected = "volunteers.rejected" / "拒绝志愿者申请" => "Volunteer rejected";
        VolunteerSuspended = "volunteers.suspended" / "停用志愿者" => "Volunteer suspended";
        KitchenVendorCreate = "kitchens.vendor_create" / "新增明厨亮灶平台" => "Kitchen vendor added";
        KitchenKeyIssued = "kitchens.key_issued" / "签发明厨亮灶平台密钥" => "Kitchen vendor key issued";
        KitchenUpload = "kitchens.upload" / "上传明厨亮灶状态" => "Kitchen status uploaded";
        KitchenFlagConfirmed = "kitchens.flag_confirmed" / "AI抓拍审核属实" => "Kitchen flag confirmed";
        KitchenFlagDismissed = "kitchens.flag_dismissed" / "AI抓拍审核不属实" => "Kitchen flag dismissed";
    }
}

impl AuditAction {
    /// The action of a case moving to `to` (`Submitted` is never moved to: it is filed).
    pub fn case_moved(to: crate::cases::CaseState) -> AuditAction {
        use crate::cases::CaseState as S;
        match to {
            S::Submitted => AuditAction::CaseFile,
            S::Accepted => AuditAction::CaseAccepted,
            S::Rejected => AuditAction::CaseRejected,
            S::Investigating => AuditAction::CaseInvestigating,
            S::Substantiated => AuditAction::CaseSubstantiated,
            S::Unsubstantiated => AuditAction::CaseUnsubstantiated,
            S::Closed => AuditAction::CaseClosed,
        }
    }

    /// The action of a reward moving to `to`.
    pub fn reward_moved(to: crate::cases::RewardStatus) -> AuditAction {
        use crate::cases::RewardStatus as R;
        match to {
            R::Eligible => AuditAction::RewardEligible,
            R::Approved => AuditAction::RewardApproved,
            R::Notified => AuditAction::RewardNotified,
            R::Paid => AuditAction::RewardPaid,
            R::Ineligible => AuditAction::RewardIneligible,
        }
    }
}

/// One entry of the append-only audit log, as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

/// A staff username: 3–32 characters of `a-z 0-9 _ . -`, starting with a letter. Stored lower-case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, AppError> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(AppError::field(ErrCode::Required, "username"));
        }
        if s.chars().count() > 32 {
            return Err(AppError::field(ErrCode::TooLong, "username"));
        }
        if s.chars().count() < 3 {
            return Err(AppError::field(ErrCode::TooShort, "username"));
        }
        let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return Err(AppError::field(ErrCode::InvalidValue, "username"));
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Password policy for new accounts: 10–128 characters (length is what matters; no composition rules).
pub fn check_new_password(pw: &str) -> Result<(), AppError> {
    let n = pw.chars().count();
    if n == 0 {
        Err(AppError::field(ErrCode::Required, "password"))
    } else if n < 10 {
        Err(AppError::field(ErrCode::TooShort, "password"))
    } else if n > 128 {
        Err(AppError::field(ErrCode::TooLong, "password"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// Moves keep the strings the log always held (`cases.<state>`, `cases.reward_<status>`).
    #[test]
    fn moves_are_audited_under_their_old_names() {
        use crate::cases::{CaseState, RewardStatus};
        for s in CaseState::ALL.into_iter().filter(|s| *s != CaseState::Submitted) {
            assert_eq!(AuditAction::case_moved(s).as_str(), format!("cases.{}", s.as_str()));
        }
        for r in [
            RewardStatus::Eligible,
            RewardStatus::Approved,
            RewardStatus::Notified,
            RewardStatus::Paid,
            RewardStatus::Ineligible,
        ] {
            assert_eq!(AuditAction::reward_moved(r).as_str(), format!("cases.reward_{}", r.as_str()));
        }
    }

    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.allows(Role::Moderator));
        assert!(Role::Admin.allows(Role::Viewer));
        assert!(Role::Moderator.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Moderator));
        assert!(!Role::Moderator.allows(Role::Admin));
        assert_eq!(Role::Viewer.require(Role::Moderator).unwrap_err().code, ErrCode::Forbidden);
        assert!(Role::Moderator.require(Role::Moderator).is_ok());
        for r in [Role::Viewer, Role::Moderator, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Admin_1 ").unwrap().as_str(), "admin_1");
        assert_eq!(Username::parse("").unwrap_err().code, ErrCode::Required);
        assert_eq!(Username::parse("ab").unwrap_err().code, ErrCode::TooShort);
        assert_eq!(Username::parse("1abc").unwrap_err().code, ErrCode::InvalidValue);
        assert_eq!(Username::parse("张三丰").unwrap_err().code, ErrCode::InvalidValue);
        assert_eq!(Username::parse(&"a".repeat(33)).unwrap_err().code, ErrCode::TooLong);
    }

    #[test]
    fn password_policy() {
        assert!(check_new_password("correct horse").is_ok());
        assert_eq!(check_new_password("short").unwrap_err().code, ErrCode::TooShort);
        assert_eq!(check_new_password(&"x".repeat(129)).unwrap_err().field.as_deref(), Some("password"));
    }
}
