//! Districts, categories and statuses of the registry: the Chinese strings stored, with their labels.

use crate::vocab::vocab;

vocab! {
    /// Mianyang's districts and development zones. The order is stored: the search index holds each district's
    /// position as a filter token (`qxd0` = 涪城区, see `filter_tokens`), so append, never reorder.
    pub enum District {
        Fucheng = "涪城区" => "Fucheng District";
        Youxian = "游仙区" => "Youxian District";
        Anzhou = "安州区" => "Anzhou District";
        Jiangyou = "江油市" => "Jiangyou City";
        Santai = "三台县" => "Santai County";
        Yanting = "盐亭县" => "Yanting County";
        Zitong = "梓潼县" => "Zitong County";
        Beichuan = "北川羌族自治县" => "Beichuan Qiang Autonomous County";
        Pingwu = "平武县" => "Pingwu County";
        HiTechZone = "高新区" => "Hi-Tech Zone";
        EconomicZone = "经开区" => "Economic Development Zone";
        ScienceCity = "科技城新区" => "Science City New Area";
    }
}

impl District {
    /// The administrative code of the county the district or zone sits in (the zones have none of their own).
    pub const fn admin_code(self) -> &'static str {
        match self {
            District::Fucheng | District::HiTechZone | District::EconomicZone => "510703",
            District::Youxian => "510704",
            District::Anzhou | District::ScienceCity => "510705",
            District::Jiangyou => "510781",
            District::Santai => "510722",
            District::Yanting => "510723",
            District::Zitong => "510725",
            District::Beichuan => "510726",
            District::Pingwu => "510727",
        }
    }
}

vocab! {
    /// Business categories. The order is stored like the districts' (`qxc0` = 生产): append, never reorder.
    pub enum BusinessCategory {
        Production = "生产" => "Production";
        Retail = "销售" => "Retail";
        Catering = "餐饮" => "Catering";
        OnlineFood = "网络食品" => "Online food";
        Canteen = "集中用餐单位" => "Canteen";
    }
}

vocab! {
    /// Whether a business trades.
    pub enum BusinessStatus {
        Operating = "在营" => "Operating";
        Suspended = "停业" => "Suspended";
        Deregistered = "注销" => "Deregistered";
    }
}
