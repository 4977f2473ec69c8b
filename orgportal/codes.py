"""National code tables: store the standard code, show the Chinese label.

Each table is a ``TextChoices`` whose value is the code and whose label is the Chinese
name. ``parse_code`` reads what rosters actually contain (the code, the label or a
registered alias) back into the code.
"""

import difflib
import functools
import unicodedata
from collections.abc import Iterable, Mapping

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


@functools.cache
def code_set(choices_cls: type[models.Choices]) -> frozenset:
    """A table's codes, built once (Django rebuilds `Choices.values` on every access)."""
    return frozenset(choices_cls.values)


class Gender(models.TextChoices):
    """性别, GB/T 2261.1-2003."""

    UNKNOWN = "0", _("未知的性别")
    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNSTATED = "9", _("未说明的性别")


class Ethnicity(models.TextChoices):
    """民族, GB/T 3304-1991."""

    HAN = "01", _("汉族")
    MONGOL = "02", _("蒙古族")
    HUI = "03", _("回族")
    TIBETAN = "04", _("藏族")
    UYGHUR = "05", _("维吾尔族")
    MIAO = "06", _("苗族")
    YI = "07", _("彝族")
    ZHUANG = "08", _("壮族")
    BOUYEI = "09", _("布依族")
    KOREAN = "10", _("朝鲜族")
    MANCHU = "11", _("满族")
    DONG = "12", _("侗族")
    YAO = "13", _("瑶族")
    BAI = "14", _("白族")
    TUJIA = "15", _("土家族")
    HANI = "16", _("哈尼族")
    KAZAKH = "17", _("哈萨克族")
    DAI = "18", _("傣族")
    LI = "19", _("黎族")
    LISU = "20", _("傈僳族")
    VA = "21", _("佤族")
    SHE = "22", _("畲族")
    GAOSHAN = "23", _("高山族")
    LAHU = "24", _("拉祜族")
    SUI = "25", _("水族")
    DONGXIANG = "26", _("东乡族")
    NAXI = "27", _("纳西族")
    JINGPO = "28", _("景颇族")
    KYRGYZ = "29", _("柯尔克孜族")
    TU = "30", _("土族")
    DAUR = "31", _("达斡尔族")
    MULAO = "32", _("仫佬族")
    QIANG = "33", _("羌族")
    BLANG = "34", _("布朗族")
    SALAR = "35", _("撒拉族")
    MAONAN = "36", _("毛南族")
    GELAO = "37", _("仡佬族")
    XIBE = "38", _("锡伯族")
    ACHANG = "39", _("阿昌族")
    PUMI = "40", _("普米族")
    TAJIK = "41", _("塔吉克族")
    NU = "42", _("怒族")
    UZBEK = "43", _("乌孜别克族")
    RUSSIAN = "44", _("俄罗斯族")
    EWENKI = "45", _("鄂温克族")
    DEANG = "46", _("德昂族")
    BONAN = "47", _("保安族")
    YUGUR = "48", _("裕固族")
    GIN = "49", _("京族")
    TATAR = "50", _("塔塔尔族")
    DERUNG = "51", _("独龙族")
    OROQEN = "52", _("鄂伦春族")
    HEZHEN = "53", _("赫哲族")
    MONBA = "54", _("门巴族")
    LHOBA = "55", _("珞巴族")
    JINO = "56", _("基诺族")
    OTHER = "97", _("其他")
    FOREIGN_ORIGIN = "98", _("外国血统中国籍人士")


class PoliticalStatus(models.TextChoices):
    """政治面貌, GB/T 4762-1984."""

    CPC_MEMBER = "01", _("中国共产党党员")
    CPC_PROBATIONARY = "02", _("中国共产党预备党员")
    CYL_MEMBER = "03", _("中国共产主义青年团团员")
    RCCK = "04", _("中国国民党革命委员会会员")
    CDL = "05", _("中国民主同盟盟员")
    CNDCA = "06", _("中国民主建国会会员")
    CAPD = "07", _("中国民主促进会会员")
    CPWDP = "08", _("中国农工民主党党员")
    ZHI_GONG = "09", _("中国致公党党员")
    JIUSAN = "10", _("九三学社社员")
    TDSL = "11", _("台湾民主自治同盟盟员")
    NON_PARTY = "12", _("无党派民主人士")
    MASSES = "13", _("群众")


class Education(models.TextChoices):
    """学历, GB/T 4658-2006; the tens (10, 20 …) are levels, the units how it ended."""

    POSTGRADUATE = "10", _("研究生教育")
    DOCTORATE_GRADUATED = "11", _("博士研究生毕业")
    DOCTORATE_COMPLETED = "12", _("博士研究生结业")
    DOCTORATE_INCOMPLETE = "13", _("博士研究生肄业")
    MASTER_GRADUATED = "14", _("硕士研究生毕业")
    MASTER_COMPLETED = "15", _("硕士研究生结业")
    MASTER_INCOMPLETE = "16", _("硕士研究生肄业")
    PG_CLASS_GRADUATED = "17", _("研究生班毕业")
    PG_CLASS_COMPLETED = "18", _("研究生班结业")
    PG_CLASS_INCOMPLETE = "19", _("研究生班肄业")
    BACHELOR = "20", _("大学本科教育")
    BACHELOR_GRADUATED = "21", _("大学本科毕业")
    BACHELOR_COMPLETED = "22", _("大学本科结业")
    BACHELOR_INCOMPLETE = "23", _("大学本科肄业")
    UNIVERSITY_ORDINARY_CLASS = "28", _("大学普通班毕业")
    JUNIOR_COLLEGE = "30", _("大学专科教育")
    JUNIOR_COLLEGE_GRADUATED = "31", _("大学专科毕业")
    JUNIOR_COLLEGE_COMPLETED = "32", _("大学专科结业")
    JUNIOR_COLLEGE_INCOMPLETE = "33", _("大学专科肄业")
    SECONDARY_VOCATIONAL = "40", _("中等职业教育")
    SECONDARY_SPECIALISED_GRADUATED = "41", _("中等专科毕业")
    SECONDARY_SPECIALISED_COMPLETED = "42", _("中等专科结业")
    SECONDARY_SPECIALISED_INCOMPLETE = "43", _("中等专科肄业")
    VOCATIONAL_HIGH_GRADUATED = "44", _("职业高中毕业")
    VOCATIONAL_HIGH_COMPLETED = "45", _("职业高中结业")
    VOCATIONAL_HIGH_INCOMPLETE = "46", _("职业高中肄业")
    TECHNICAL_SCHOOL_GRADUATED = "47", _("技工学校毕业")
    TECHNICAL_SCHOOL_COMPLETED = "48", _("技工学校结业")
    TECHNICAL_SCHOOL_INCOMPLETE = "49", _("技工学校肄业")
    HIGH_SCHOOL = "60", _("普通高级中学教育")
    HIGH_SCHOOL_GRADUATED = "61", _("普通高中毕业")
    HIGH_SCHOOL_COMPLETED = "62", _("普通高中结业")
    HIGH_SCHOOL_INCOMPLETE = "63", _("普通高中肄业")
    JUNIOR_MIDDLE = "70", _("初级中学教育")
    JUNIOR_MIDDLE_GRADUATED = "71", _("初中毕业")
    JUNIOR_MIDDLE_INCOMPLETE = "73", _("初中肄业")
    PRIMARY = "80", _("小学教育")
    PRIMARY_GRADUATED = "81", _("小学毕业")
    PRIMARY_INCOMPLETE = "83", _("小学肄业")
    OTHER = "90", _("其他")


class Degree(models.TextChoices):
    """学位, GB/T 6864-2003 top level."""

    HONORARY_DOCTOR = "1", _("名誉博士")
    DOCTOR = "2", _("博士")
    MASTER = "3", _("硕士")
    BACHELOR = "4", _("学士")


# The ordered tables below are declared highest first; ``order_of`` turns the
# declaration order into numbers where a higher post compares greater.


class LeadershipLevel(models.TextChoices):
    """职务层次 (公务员职务与职级并行规定, 2019), highest first."""

    PROVINCE_CHIEF = "province_chief", _("省部级正职")
    PROVINCE_DEPUTY = "province_deputy", _("省部级副职")
    BUREAU_CHIEF = "bureau_chief", _("厅局级正职")
    BUREAU_DEPUTY = "bureau_deputy", _("厅局级副职")
    COUNTY_CHIEF = "county_chief", _("县处级正职")
    COUNTY_DEPUTY = "county_deputy", _("县处级副职")
    TOWNSHIP_CHIEF = "township_chief", _("乡科级正职")
    TOWNSHIP_DEPUTY = "township_deputy", _("乡科级副职")


class Rank(models.TextChoices):
    """职级, 综合管理类 (公务员职务与职级并行规定, 2019), highest first."""

    INSPECTOR_1 = "inspector_1", _("一级巡视员")
    INSPECTOR_2 = "inspector_2", _("二级巡视员")
    RESEARCHER_1 = "researcher_1", _("一级调研员")
    RESEARCHER_2 = "researcher_2", _("二级调研员")
    RESEARCHER_3 = "researcher_3", _("三级调研员")
    RESEARCHER_4 = "researcher_4", _("四级调研员")
    PRINCIPAL_STAFF_1 = "principal_staff_1", _("一级主任科员")
    PRINCIPAL_STAFF_2 = "principal_staff_2", _("二级主任科员")
    PRINCIPAL_STAFF_3 = "principal_staff_3", _("三级主任科员")
    PRINCIPAL_STAFF_4 = "principal_staff_4", _("四级主任科员")
    STAFF_1 = "staff_1", _("一级科员")
    STAFF_2 = "staff_2", _("二级科员")


class WarningLevel(models.TextChoices):
    """红橙黄蓝预警, red highest."""

    RED = "red", _("红")
    ORANGE = "orange", _("橙")
    YELLOW = "yellow", _("黄")
    BLUE = "blue", _("蓝")


class AdminLevel(models.TextChoices):
    """机构规格, highest first; 未定级 ranks lowest."""

    BUREAU_CHIEF = "bureau_chief", _("正厅级")
    BUREAU_DEPUTY = "bureau_deputy", _("副厅级")
    DIVISION_CHIEF = "division_chief", _("正处级")
    DIVISION_DEPUTY = "division_deputy", _("副处级")
    SECTION_CHIEF = "section_chief", _("正科级")
    SECTION_DEPUTY = "section_deputy", _("副科级")
    UNIT_LEVEL = "unit_level", _("股级")
    NONE = "none", _("未定级")


class AssessmentResult(models.TextChoices):
    """年度考核结果: 公务员 and 事业单位 grades in one table (优秀 is shared)."""

    EXCELLENT = "excellent", _("优秀")
    # 公务员
    COMPETENT = "competent", _("称职")
    BASIC_COMPETENT = "basic_competent", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")
    UNGRADED = "ungraded", _("不定等次")
    # 事业单位
    QUALIFIED = "qualified", _("合格")
    BASIC_QUALIFIED = "basic_qualified", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class SanctionKind(models.TextChoices):
    """处分与组织处理的类别."""

    ADMINISTRATIVE = "administrative", _("政务处分")
    PARTY = "party", _("党纪处分")
    ORGANISATIONAL = "organisational", _("组织处理")
    ADMONITION = "admonition", _("诫勉")


class Sanction(models.TextChoices):
    """Each sanction or organisational handling; its kind is ``SANCTION_KIND[code]``."""

    # 政务处分 and 党纪处分 both have a 警告, so labels carry the prefix used in
    # decisions (政务警告, 党内警告) to stay distinct in drop-downs and exports.
    ADMIN_WARNING = "admin_warning", _("政务警告")
    ADMIN_DEMERIT = "admin_demerit", _("政务记过")
    ADMIN_MAJOR_DEMERIT = "admin_major_demerit", _("政务记大过")
    ADMIN_DEMOTION = "admin_demotion", _("政务降级")
    ADMIN_REMOVAL = "admin_removal", _("政务撤职")
    ADMIN_DISMISSAL = "admin_dismissal", _("开除公职")
    PARTY_WARNING = "party_warning", _("党内警告")
    PARTY_SERIOUS_WARNING = "party_serious_warning", _("党内严重警告")
    PARTY_POST_REMOVAL = "party_post_removal", _("撤销党内职务")
    PARTY_PROBATION = "party_probation", _("留党察看")
    PARTY_EXPULSION = "party_expulsion", _("开除党籍")
    ORG_SUSPENSION = "org_suspension", _("停职检查")
    ORG_REASSIGNMENT = "org_reassignment", _("调整职务")
    ORG_ORDERED_RESIGNATION = "org_ordered_resignation", _("责令辞职")
    ORG_REMOVAL = "org_removal", _("免职")
    ORG_DEMOTION = "org_demotion", _("降职")
    ADMONITION = "admonition", _("诫勉")


SANCTION_KIND: dict[str, str] = {
    Sanction.ADMIN_WARNING: SanctionKind.ADMINISTRATIVE,
    Sanction.ADMIN_DEMERIT: SanctionKind.ADMINISTRATIVE,
    Sanction.ADMIN_MAJOR_DEMERIT: SanctionKind.ADMINISTRATIVE,
    Sanction.ADMIN_DEMOTION: SanctionKind.ADMINISTRATIVE,
    Sanction.ADMIN_REMOVAL: SanctionKind.ADMINISTRATIVE,
    Sanction.ADMIN_DISMISSAL: SanctionKind.ADMINISTRATIVE,
    Sanction.PARTY_WARNING: SanctionKind.PARTY,
    Sanction.PARTY_SERIOUS_WARNING: SanctionKind.PARTY,
    Sanction.PARTY_POST_REMOVAL: SanctionKind.PARTY,
    Sanction.PARTY_PROBATION: SanctionKind.PARTY,
    Sanction.PARTY_EXPULSION: SanctionKind.PARTY,
    Sanction.ORG_SUSPENSION: SanctionKind.ORGANISATIONAL,
    Sanction.ORG_REASSIGNMENT: SanctionKind.ORGANISATIONAL,
    Sanction.ORG_ORDERED_RESIGNATION: SanctionKind.ORGANISATIONAL,
    Sanction.ORG_REMOVAL: SanctionKind.ORGANISATIONAL,
    Sanction.ORG_DEMOTION: SanctionKind.ORGANISATIONAL,
    Sanction.ADMONITION: SanctionKind.ADMONITION,
}

# Default influence period in months from the decision date (None = permanent). Records
# copy it and staff may edit it, so these are defaults, not the rule engine's last word.
SANCTION_INFLUENCE_MONTHS: dict[str, int | None] = {
    # 公职人员政务处分法 (2020), art. 8
    Sanction.ADMIN_WARNING: 6,
    Sanction.ADMIN_DEMERIT: 12,
    Sanction.ADMIN_MAJOR_DEMERIT: 18,
    Sanction.ADMIN_DEMOTION: 24,
    Sanction.ADMIN_REMOVAL: 24,
    Sanction.ADMIN_DISMISSAL: None,
    # 中国共产党纪律处分条例
    Sanction.PARTY_WARNING: 12,
    Sanction.PARTY_SERIOUS_WARNING: 18,
    Sanction.PARTY_POST_REMOVAL: 24,
    # Probation of 1 year + 2 years after rights are restored; a 2-year probation
    # makes it 48, which staff enter on the record.
    Sanction.PARTY_PROBATION: 12 + 24,
    Sanction.PARTY_EXPULSION: None,
    # 推进领导干部能上能下规定 (2022) / 组织处理规定 (2021)
    Sanction.ORG_SUSPENSION: 0,  # a measure pending the outcome, not a bar by itself
    Sanction.ORG_REASSIGNMENT: 12,
    # 1 year without a leadership post, 2 years without promotion: promotion is
    # what the period blocks, so 2 years.
    Sanction.ORG_ORDERED_RESIGNATION: 24,
    Sanction.ORG_REMOVAL: 24,
    Sanction.ORG_DEMOTION: 24,
    Sanction.ADMONITION: 6,
}


class ManagementCategory(models.TextChoices):
    """干部管理类别."""

    CITY = "city", _("市管")
    COUNTY = "county", _("县管")
    DEPARTMENT = "department", _("部门管理")


class UnitKind(models.TextChoices):
    """单位类别."""

    PARTY_COMMITTEE = "party_committee", _("党委（市委、县委）")
    DEPARTMENT = "department", _("党政工作部门")
    COUNTY = "county", _("县（市、区）")
    TOWNSHIP = "township", _("乡镇（街道）")
    INSTITUTION = "institution", _("事业单位")
    ENTERPRISE = "enterprise", _("国有企业")
    PEOPLE_ORG = "people_org", _("人民团体")
    OTHER = "other", _("其他")


class CadreStatus(models.TextChoices):
    """干部状态 (the department's own table)."""

    SERVING = "serving", _("在职")
    RETIRED = "retired", _("退休")
    TRANSFERRED_OUT = "transferred_out", _("调出")
    RESIGNED = "resigned", _("辞职")
    DISMISSED = "dismissed", _("开除")
    DECEASED = "deceased", _("去世")


class MovementKind(models.TextChoices):
    """任免/进退留转."""

    HIRE = "hire", _("录用")
    TRANSFER_IN = "transfer_in", _("调入")
    APPOINTMENT = "appointment", _("任职")
    PROMOTION = "promotion", _("提拔")
    RANK_PROMOTION = "rank_promotion", _("晋升职级")
    LATERAL = "lateral", _("平级交流")
    CONVERSION = "conversion", _("转任")
    REMOVAL = "removal", _("免职")
    DEMOTION = "demotion", _("降职")
    RETIREMENT = "retirement", _("退休")
    TRANSFER_OUT = "transfer_out", _("调出")
    RESIGNATION = "resignation", _("辞职")
    DISMISSAL = "dismissal", _("开除")
    DEATH = "death", _("去世")


class WarningSource(models.TextChoices):
    """预警来源."""

    INACTION = "inaction", _("为官不为")
    NEGATIVE_LIST = "negative_list", _("负面清单")
    INQUIRY = "inquiry", _("函询")
    ADMONITION = "admonition", _("诫勉")
    PETITION = "petition", _("信访")
    INSPECTION = "inspection", _("巡察")
    AUDIT = "audit", _("审计")
    OTHER = "other", _("其他")


class SupervisionKind(models.TextChoices):
    """提醒·函询·诫勉·谈话."""

    REMINDER = "reminder", _("提醒")
    INQUIRY = "inquiry", _("函询")
    ADMONITION = "admonition", _("诫勉")
    TALK = "talk", _("谈话")


class CheckResult(models.TextChoices):
    """凡提必核各项结果."""

    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")
    PENDING = "pending", _("待核查")


class ArchiveItem(models.TextChoices):
    """干部档案专项审核的审核项目."""

    BIRTH_DATE = "birth_date", _("出生日期")
    WORK_START = "work_start_date", _("参加工作时间")
    PARTY_JOIN = "party_join_date", _("入党时间")
    EDUCATION = "education", _("学历学位")
    CADRE_IDENTITY = "cadre_identity", _("干部身份")
    RESUME = "resume", _("工作经历")
    OTHER = "other", _("其他")


class ReviewStatus(models.TextChoices):
    """档案审核状态."""

    IN_PROGRESS = "in_progress", _("审核中")
    DONE = "done", _("已完成")


class PoolStatus(models.TextChoices):
    """优秀年轻干部库：在库 / 已出库."""

    IN = "in", _("在库")
    OUT = "out", _("已出库")


class PoolSource(models.TextChoices):
    """入库来源."""

    SELECTED_GRADUATE = "selected_graduate", _("选调生")
    FRONT_LINE = "front_line", _("急难险重一线")
    ENTERPRISE = "enterprise", _("企事业单位")
    SURVEY = "survey", _("专题调研")
    RECOMMENDATION = "recommendation", _("民主推荐")
    OTHER = "other", _("其他")


class PoolExitReason(models.TextChoices):
    """调整出库原因 (提拔使用 is the good exit: the pool's output)."""

    PROMOTED = "promoted", _("提拔使用")
    OVER_AGE = "over_age", _("超龄")
    DISOBEDIENCE = "disobedience", _("不服从组织安排")
    ORG_HANDLING = "org_handling", _("受到组织处理")
    DISCIPLINE = "discipline", _("受到党纪政务处分")
    CRIMINAL = "criminal", _("受到刑事处罚")
    INVESTIGATION = "investigation", _("涉嫌违纪违法移交执纪执法机关")
    TRANSFERRED = "transferred", _("调离")
    OTHER = "other", _("其他")


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    ACTIVE = "active", _("实施中")
    CLOSED = "closed", _("已结束")


class PostingKind(models.TextChoices):
    """实践锻炼方式."""

    SECONDMENT = "secondment", _("挂职锻炼")
    SHADOWING = "shadowing", _("跟班学习")
    ROTATION = "rotation", _("多岗历练")
    GRASSROOTS = "grassroots", _("蹲苗")


class HostKind(models.TextChoices):
    """实践锻炼去向."""

    HIGHER_ORGAN = "higher_organ", _("上级机关")
    DEVELOPED_REGION = "developed_region", _("发达地区")
    SPECIALIST_DEPARTMENT = "specialist_department", _("专业部门")
    INDUSTRIAL_PARK = "industrial_park", _("产业园区")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    GRASSROOTS = "grassroots", _("基层一线")


class DossierKind(models.TextChoices):
    """成长档案（一人一档）记录类别."""

    INSPECTION = "inspection", _("考察")
    TALK = "talk", _("谈话")
    ACHIEVEMENT = "achievement", _("实绩")
    TRAINING = "training", _("培训")
    REWARD_SANCTION = "reward_sanction", _("奖惩")
    OTHER = "other", _("其他")


# --- talent (人才办) ---------------------------------------------------------
# The department's own tables: no national standard covers them, so codes are stable ASCII slugs.


class TalentProgrammeKind(models.TextChoices):
    """人才工程/计划的类别."""

    RECRUITMENT = "recruitment", _("引才")
    CULTIVATION = "cultivation", _("育才")
    SUPPORT = "support", _("支持计划")
    CAMPAIGN_YEAR = "campaign_year", _("活动年")


class TalentCategory(models.TextChoices):
    """人才类别 (六支人才队伍)."""

    PARTY_GOVERNMENT = "party_government", _("党政人才")
    ENTERPRISE_MANAGEMENT = "enterprise_management", _("企业经营管理人才")
    PROFESSIONAL_TECHNICAL = "professional_technical", _("专业技术人才")
    HIGH_SKILLED = "high_skilled", _("高技能人才")
    RURAL_PRACTICAL = "rural_practical", _("农村实用人才")
    SOCIAL_WORK = "social_work", _("社会工作人才")


class TalentLevel(models.TextChoices):
    """人才层次 (高层次人才认定), highest first."""

    A = "A", _("A类")
    B = "B", _("B类")
    C = "C", _("C类")
    D = "D", _("D类")
    E = "E", _("E类")


class TalentField(models.TextChoices):
    """人才所在领域（重点产业/行业）."""

    AGRICULTURE = "agriculture", _("现代农业")
    INDUSTRY = "industry", _("工业经济")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生健康")
    CULTURE_TOURISM = "culture_tourism", _("文化旅游")
    SCIENCE_TECHNOLOGY = "science_technology", _("科技创新")
    DIGITAL_ECONOMY = "digital_economy", _("数字经济")
    FINANCE = "finance", _("金融")
    URBAN_CONSTRUCTION = "urban_construction", _("城乡建设")
    SOCIAL_GOVERNANCE = "social_governance", _("社会治理")
    OTHER = "other", _("其他")


class TalentSource(models.TextChoices):
    """人才来源."""

    INTRODUCED = "introduced", _("引进")
    LOCAL = "local", _("本土培育")
    RETURNEE = "returnee", _("乡情回引")


class TalentStatus(models.TextChoices):
    """人才状态: 流失 keeps the record (talent.services.record_departure)."""

    ACTIVE = "active", _("在岗")
    DEPARTED = "departed", _("流失")


class TalentDepartureReason(models.TextChoices):
    """人才流失原因."""

    JOB_CHANGE = "job_change", _("工作调动")
    PAY = "pay", _("薪酬待遇")
    PLATFORM = "platform", _("发展平台")
    FAMILY = "family", _("家庭原因")
    ENVIRONMENT = "environment", _("工作生活环境")
    RETIREMENT = "retirement", _("退休")
    DEATH = "death", _("去世")
    OTHER = "other", _("其他")


class SelectionStatus(models.TextChoices):
    """人才计划入选状态."""

    PUBLICISED = "publicised", _("公示中")
    SELECTED = "selected", _("已入选")
    COMPLETED = "completed", _("已期满")
    REVOKED = "revoked", _("已撤销")


class TalentCardTier(models.TextChoices):
    """英才卡类别."""

    A = "A", _("A卡")
    B = "B", _("B卡")
    C = "C", _("C卡")


class TalentCardStatus(models.TextChoices):
    """英才卡状态 as stored; 过期 is derived from the expiry date (TalentCard.state)."""

    VALID = "valid", _("有效")
    LOST = "lost", _("挂失")
    CANCELLED = "cancelled", _("注销")


class ServiceKind(models.TextChoices):
    """英才卡服务事项."""

    HOUSING = "housing", _("安居")
    SCHOOLING = "schooling", _("子女入学")
    SPOUSE_EMPLOYMENT = "spouse_employment", _("配偶就业")
    MEDICAL = "medical", _("医疗")
    TRAVEL = "travel", _("出入境")
    OTHER = "other", _("其他")


class ServiceRequestStatus(models.TextChoices):
    """服务事项办理状态: 受理 → 办理中 → 办结 / 不予办理."""

    ACCEPTED = "accepted", _("受理")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("办结")
    REFUSED = "refused", _("不予办理")


class Satisfaction(models.TextChoices):
    """服务满意度."""

    SATISFIED = "satisfied", _("满意")
    FAIRLY_SATISFIED = "fairly_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class PointsItem(models.TextChoices):
    """乡土人才积分项目."""

    SKILL_LEVEL = "skill_level", _("技能等级（职称）")
    HONOUR = "honour", _("荣誉表彰")
    INDUSTRY_SCALE = "industry_scale", _("产业规模")
    EMPLOYMENT = "employment", _("带动就业增收")
    EXTENSION = "extension", _("技术推广示范")
    TEACHING = "teaching", _("培训授课（传帮带）")
    HERITAGE = "heritage", _("非遗传承")
    OTHER = "other", _("其他")


class ReviewResult(models.TextChoices):
    """审核状态 of records others report (乡土人才积分, 其他学时; orgportal.review): only 已认可 ones count."""

    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认可")
    REJECTED = "rejected", _("不予认可")


class StudioKind(models.TextChoices):
    """工作室类别."""

    TEACHER = "teacher", _("名师工作室")
    MASTER = "master", _("技能大师工作室")
    DOCTOR = "doctor", _("名医工作室")
    EXPERT = "expert", _("专家工作站")


class StudioField(models.TextChoices):
    """工作室领域."""

    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生")
    TRADITIONAL_SKILL = "traditional_skill", _("传统技能")
    MANUFACTURING = "manufacturing", _("制造技能")
    AGRICULTURE = "agriculture", _("农业技术")
    CULTURE = "culture", _("文化艺术")
    OTHER = "other", _("其他")


class StudioStatus(models.TextChoices):
    ACTIVE = "active", _("运行中")
    CLOSED = "closed", _("已撤销")


class StudioRole(models.TextChoices):
    """工作室成员角色."""

    CORE = "core", _("核心成员")
    MEMBER = "member", _("成员")
    APPRENTICE = "apprentice", _("学员（徒弟）")


class EvaluationGrade(models.TextChoices):
    """年度考核评估等次 (工作室等)."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    QUALIFIED = "qualified", _("合格")
    UNQUALIFIED = "unqualified", _("不合格")


class TraineeStatus(models.TextChoices):
    """定向培养学生状态: changed through talent.services (place, complete, breach, withdraw)."""

    STUDYING = "studying", _("在读")
    PLACED = "placed", _("已就业（履约中）")
    COMPLETED = "completed", _("履约期满")
    BREACHED = "breached", _("违约")
    WITHDRAWN = "withdrawn", _("退学（终止培养）")


class SigningEventKind(models.TextChoices):
    """引才签约活动类别."""

    PROMOTION = "promotion", _("集中推介签约")
    JOB_FAIR = "job_fair", _("招才引智专场")
    CAMPUS = "campus", _("高校专场招聘")
    EXPO = "expo", _("人才博览会")
    OTHER = "other", _("其他")


class AgreementKind(models.TextChoices):
    """签约类型."""

    EMPLOYMENT = "employment", _("全职引进")
    FLEXIBLE = "flexible", _("柔性引进")
    TEAM = "team", _("团队引进")
    PROJECT = "project", _("项目合作")


# --- training (培训办) ----------------------------------------------------------
# The department's own tables, stable ASCII slugs like talent's.


class PlanStatus(models.TextChoices):
    """年度调训计划状态."""

    DRAFT = "draft", _("草拟")
    ISSUED = "issued", _("下达")
    IN_PROGRESS = "in_progress", _("执行中")
    DONE = "done", _("完成")


class VenueKind(models.TextChoices):
    """培训地点类别."""

    PARTY_SCHOOL = "party_school", _("党校")
    CADRE_ACADEMY = "cadre_academy", _("干部学院")
    RED_BASE = "red_base", _("红色教育基地")
    FIELD_SITE = "field_site", _("现场教学点")
    OTHER = "other", _("其他")


class TeacherKind(models.TextChoices):
    """师资类别."""

    PARTY_SCHOOL = "party_school", _("党校教师")
    LEADER = "leader", _("领导干部")
    SCHOLAR = "scholar", _("专家学者")
    MODEL = "model", _("先进典型")


class ClassKind(models.TextChoices):
    """班次类别."""

    MAIN = "main", _("主体班")
    THEMATIC = "thematic", _("专题班")
    SEMINAR = "seminar", _("研修班")
    READING = "reading", _("读书班")
    YOUNG_CADRES = "young_cadres", _("中青年干部班")
    ROTATION = "rotation", _("轮训班")
    COMMISSIONED = "commissioned", _("委托班")
    ONLINE = "online", _("网络培训")
    RURAL_REVITALISATION = "rural_revitalisation", _("乡村振兴专题培训")


class ClassStatus(models.TextChoices):
    """班次状态; 结业 is set only by training.services.complete_class."""

    PREPARING = "preparing", _("筹备")
    ENROLLING = "enrolling", _("报名中")
    IN_SESSION = "in_session", _("在训")
    FINISHED = "finished", _("结业")


class CourseMode(models.TextChoices):
    """教学方式."""

    LECTURE = "lecture", _("专题讲授")
    FIELD = "field", _("现场教学")
    CASE = "case", _("案例教学")
    DISCUSSION = "discussion", _("研讨交流")
    ONLINE = "online", _("线上")


class EnrolmentStatus(models.TextChoices):
    """调训状态: 报名 → 调训确认 → 在训 → 结业 / 退训 / 缺训 (training.services)."""

    APPLIED = "applied", _("报名")
    CONFIRMED = "confirmed", _("调训确认")
    IN_TRAINING = "in_training", _("在训")
    COMPLETED = "completed", _("结业")
    WITHDRAWN = "withdrawn", _("退训")
    ABSENT = "absent", _("缺训")


class AttendanceStatus(models.TextChoices):
    """考勤."""

    PRESENT = "present", _("出勤")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺勤")


# --- training: hours --------------------------------------------------------


class HoursCounting(models.TextChoices):
    """What a requirement counts."""

    ALL = "all", _("班次学时及认可的其他学时")
    CLASSES = "classes", _("仅组织调训（班次）学时")
    ONLINE = "online", _("仅网络学习学时")


class ExternalHoursKind(models.TextChoices):
    """其他学时的类别."""

    ONLINE = "online", _("网络培训")
    OTHER_ORG = "other_org", _("外单位培训")
    SELF_STUDY = "self_study", _("自学")


# --- appointments (选任, 干部科) ----------------------------------------------


class AppointmentKind(models.TextChoices):
    """任免事项类别."""

    PROMOTION = "promotion", _("提拔")
    FURTHER_USE = "further_use", _("进一步使用")
    LATERAL = "lateral", _("平级交流")
    RANK_PROMOTION = "rank_promotion", _("职级晋升")
    REMOVAL = "removal", _("免职")
    RETIREMENT = "retirement", _("退休")


class AppointmentStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    COMPLETED = "completed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤销")


class AppointmentStepKind(models.TextChoices):
    """任免程序的步骤 (党政领导干部选拔任用工作条例)."""

    PROPOSAL = "proposal", _("分析研判和动议")
    TALK = "talk", _("谈话调研")
    RECOMMENDATION = "recommendation", _("民主推荐")
    INSPECTION = "inspection", _("考察")
    CHECK = "check", _("凡提必核")
    DECISION = "decision", _("讨论决定")
    PUBLICITY = "publicity", _("任前公示")
    APPOINTMENT = "appointment", _("任职")


class AppointmentStepOutcome(models.TextChoices):
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")


# --- leadership teams (领导班子, 干部科) -------------------------------------------------
# The department's own tables (no national standard): stable ASCII slugs.


class PostKind(models.TextChoices):
    """职数类别: which team of a unit an approved number belongs to."""

    PARTY = "party", _("党委")
    GOVERNMENT = "government", _("政府")
    CONGRESS = "congress", _("人大")
    CPPCC = "cppcc", _("政协")
    DEPARTMENT = "department", _("部门")


class TeamRating(models.TextChoices):
    """综合研判 and 平时考核 ratings."""

    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("较差")


class TeamRuleKind(models.TextChoices):
    """班子结构要求: what a team structure rule checks."""

    WOMAN = "woman", _("女干部")
    NON_PARTY = "non_party", _("党外干部")
    YOUNG = "young", _("年轻干部")
    BACKGROUND = "background", _("专业背景")


# --- ordering ---------------------------------------------------------------


def order_of(choices_cls: type[models.Choices], code: str) -> int:
    """Rank of ``code`` in an ordered table; the first declared member ranks highest.

    Meaningful for LeadershipLevel, Rank, WarningLevel and AdminLevel. Raises
    ``ValueError`` for a code that is not in the table.
    """
    values = choices_cls.values
    if code not in values:
        raise ValueError(_not_in_table_message(choices_cls, code))
    return len(values) - values.index(code)


def level_order(code: str) -> int:
    """Rank of a LeadershipLevel code; 省部级正职 is greatest."""
    return order_of(LeadershipLevel, code)


def rank_order(code: str) -> int:
    """Rank of a Rank code; 一级巡视员 is greatest."""
    return order_of(Rank, code)


# --- parsing what rosters contain -------------------------------------------

TABLE_NAMES: dict[type[models.Choices], str] = {
    Gender: _("性别"),
    Ethnicity: _("民族"),
    PoliticalStatus: _("政治面貌"),
    Education: _("学历"),
    Degree: _("学位"),
    LeadershipLevel: _("职务层次"),
    Rank: _("职级"),
    WarningLevel: _("预警等级"),
    AdminLevel: _("机构规格"),
    AssessmentResult: _("年度考核结果"),
    SanctionKind: _("处分类别"),
    Sanction: _("处分（处理）"),
    ManagementCategory: _("管理类别"),
    UnitKind: _("单位类别"),
}

# choices class → {normalised alias: code}. A key starting with "*" matches the end of
# the text (法学学士 → 学士); the longest such suffix wins. Fill it through
# ``register_aliases`` so keys are normalised and targets checked.
ALIASES: dict[type[models.Choices], dict[str, str]] = {}

SUFFIX_MARK = "*"


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, letters and the ideographic space to ASCII; then
    # every inner space goes, because rosters pad names like 汉　族 or 群 众.
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _table_name(choices_cls: type[models.Choices]) -> str:
    return str(TABLE_NAMES.get(choices_cls, choices_cls.__name__))


def closest(text: str, options: Iterable[str], n: int = 3) -> list[str]:
    """The options a clerk most likely meant by `text`: those containing it (科员 → 一级科员, 二级科员),
    shortest first, then the most alike."""
    options = list(dict.fromkeys(str(o) for o in options))
    text = str(text).strip()
    if not text:
        return []
    containing = sorted((o for o in options if text in o), key=len)
    alike = difflib.get_close_matches(text, options, n=n, cutoff=0.5)
    return list(dict.fromkeys([*containing, *alike]))[:n]


def did_you_mean(text: str, options: Iterable[str]) -> str:
    """ "，是否为：一级科员、二级科员？" — or nothing when no option is close."""
    found = closest(text, options)
    return (_("，是否为：%s？") % "、".join(found)) if found else ""


def _not_in_table_message(choices_cls: type[models.Choices], text: object) -> str:
    message = _("「%(text)s」不是有效的%(table)s") % {"text": text, "table": _table_name(choices_cls)}
    return message + did_you_mean(str(text), (str(label) for _code, label in choices_cls.choices))


def register_aliases(
    choices_cls: type[models.Choices], mapping: Mapping[str, str], *, table_name: str | None = None
) -> None:
    """Add import aliases (alias → code) for a table; ``*`` before an alias makes it a suffix."""
    if table_name is not None:
        TABLE_NAMES[choices_cls] = table_name
    table = ALIASES.setdefault(choices_cls, {})
    for alias, code in mapping.items():
        if code not in code_set(choices_cls):
            raise ValueError(f"{choices_cls.__name__}: alias {alias!r} points to unknown code {code!r}")
        key = _normalise(alias)
        if table.get(key, code) != code:
            raise ValueError(f"{choices_cls.__name__}: alias {alias!r} already means {table[key]!r}")
        table[key] = str(code)


@functools.lru_cache(maxsize=256)
def _label_lookup(choices_cls: type[models.Choices], language: str | None) -> dict[str, str]:
    lookup: dict[str, str] = {}
    # Source labels (Chinese) always match, whatever language is active; the active
    # language's labels match too, for files exported under it.
    with translation.override(None):
        for code, label in choices_cls.choices:
            lookup.setdefault(_normalise(str(label)), code)
    for code, label in choices_cls.choices:
        lookup.setdefault(_normalise(str(label)), code)
    return lookup


def _zero_padded(choices_cls: type[models.Choices], key: str) -> str | None:
    # Excel turns a typed 01 into the number 1; put the zeros back when every code in
    # the table is digits of one width.
    widths = {len(v) for v in choices_cls.values}
    if len(widths) != 1 or not key.isdigit() or not all(v.isdigit() for v in choices_cls.values):
        return None
    padded = key.zfill(widths.pop())
    return padded if padded in choices_cls.values else None


def parse_code(choices_cls: type[models.Choices], text: str | int) -> str:
    """The code for ``text``: the code itself, its Chinese label or a registered alias.

    Whitespace (full-width too, inside as well) and full-width digits are ignored, and
    numeric codes lose leading zeros in Excel, so ``1`` is read as ``01`` where codes
    are two digits. Raises ``ValueError`` with a Chinese message otherwise.
    """
    raw = str(text).strip()
    key = _normalise(raw)
    if not key:
        raise ValueError(_("未填写%(table)s") % {"table": _table_name(choices_cls)})
    for code in choices_cls.values:
        if _normalise(code) == key:
            return code
    lookup = _label_lookup(choices_cls, translation.get_language())
    if key in lookup:
        return lookup[key]
    aliases = ALIASES.get(choices_cls, {})
    if key in aliases:
        return aliases[key]
    suffixes = [(alias[1:], code) for alias, code in aliases.items() if alias.startswith(SUFFIX_MARK)]
    for suffix, code in sorted(suffixes, key=lambda item: -len(item[0])):
        if key.endswith(suffix):
            return code
    padded = _zero_padded(choices_cls, key)
    if padded is not None:
        return padded
    raise ValueError(_not_in_table_message(choices_cls, raw))


register_aliases(Gender, {"男性": Gender.MALE, "女性": Gender.FEMALE})

# Rosters often drop 族 (汉, 回). Kept as a list rather than derived from the labels so
# registering needs no translation machinery at import; a test checks they agree.
_ETHNIC_SHORT_NAMES = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
]
register_aliases(Ethnicity, {name: f"{number:02d}" for number, name in enumerate(_ETHNIC_SHORT_NAMES, 1)})

register_aliases(
    PoliticalStatus,
    {
        "中共党员": PoliticalStatus.CPC_MEMBER,
        "党员": PoliticalStatus.CPC_MEMBER,
        "中共预备党员": PoliticalStatus.CPC_PROBATIONARY,
        "预备党员": PoliticalStatus.CPC_PROBATIONARY,
        "共青团员": PoliticalStatus.CYL_MEMBER,
        "团员": PoliticalStatus.CYL_MEMBER,
        "民革党员": PoliticalStatus.RCCK,
        "民革会员": PoliticalStatus.RCCK,
        "民革": PoliticalStatus.RCCK,
        "民盟盟员": PoliticalStatus.CDL,
        "民盟": PoliticalStatus.CDL,
        "民建会员": PoliticalStatus.CNDCA,
        "民建": PoliticalStatus.CNDCA,
        "民进会员": PoliticalStatus.CAPD,
        "民进": PoliticalStatus.CAPD,
        "农工党党员": PoliticalStatus.CPWDP,
        "农工党": PoliticalStatus.CPWDP,
        "致公党党员": PoliticalStatus.ZHI_GONG,
        "致公党": PoliticalStatus.ZHI_GONG,
        "九三学社社员": PoliticalStatus.JIUSAN,
        "九三学社": PoliticalStatus.JIUSAN,
        "台盟盟员": PoliticalStatus.TDSL,
        "台盟": PoliticalStatus.TDSL,
        "无党派人士": PoliticalStatus.NON_PARTY,
        "无党派": PoliticalStatus.NON_PARTY,
    },
)

# A bare level word means its 毕业 code. 研究生 alone is read as 硕士研究生毕业: rosters
# write 博士 explicitly, and most cadres with 研究生学历 hold a master's; staff fix the
# rare 研究生班 case by hand. Each word also accepts a trailing 毕业 (本科毕业).
_EDUCATION_WORDS = {
    "博士研究生": Education.DOCTORATE_GRADUATED,
    "博士": Education.DOCTORATE_GRADUATED,
    "硕士研究生": Education.MASTER_GRADUATED,
    "硕士": Education.MASTER_GRADUATED,
    "研究生": Education.MASTER_GRADUATED,
    "研究生班": Education.PG_CLASS_GRADUATED,
    "大学本科": Education.BACHELOR_GRADUATED,
    "大学": Education.BACHELOR_GRADUATED,
    "本科": Education.BACHELOR_GRADUATED,
    "大学专科": Education.JUNIOR_COLLEGE_GRADUATED,
    "大专": Education.JUNIOR_COLLEGE_GRADUATED,
    "专科": Education.JUNIOR_COLLEGE_GRADUATED,
    "中等专科": Education.SECONDARY_SPECIALISED_GRADUATED,
    "中专": Education.SECONDARY_SPECIALISED_GRADUATED,
    "职业高中": Education.VOCATIONAL_HIGH_GRADUATED,
    "职高": Education.VOCATIONAL_HIGH_GRADUATED,
    "技工学校": Education.TECHNICAL_SCHOOL_GRADUATED,
    "技校": Education.TECHNICAL_SCHOOL_GRADUATED,
    "普通高中": Education.HIGH_SCHOOL_GRADUATED,
    "高中": Education.HIGH_SCHOOL_GRADUATED,
    "初中": Education.JUNIOR_MIDDLE_GRADUATED,
    "小学": Education.PRIMARY_GRADUATED,
}
register_aliases(Education, _EDUCATION_WORDS)
register_aliases(Education, {f"{word}毕业": code for word, code in _EDUCATION_WORDS.items()})

# Degrees come as 法学学士, 工学硕士, 管理学博士学位 …: match on the ending. 名誉博士 is
# its exact label, which is tried before any alias.
register_aliases(
    Degree,
    {
        "*学士": Degree.BACHELOR,
        "*学士学位": Degree.BACHELOR,
        "*硕士": Degree.MASTER,
        "*硕士学位": Degree.MASTER,
        "*博士": Degree.DOCTOR,
        "*博士学位": Degree.DOCTOR,
    },
)

# 警告 alone is left out: it is both a 政务 and a 党纪 sanction.
register_aliases(
    Sanction,
    {
        "记过": Sanction.ADMIN_DEMERIT,
        "记大过": Sanction.ADMIN_MAJOR_DEMERIT,
        "降级": Sanction.ADMIN_DEMOTION,
        "撤职": Sanction.ADMIN_REMOVAL,
        "开除": Sanction.ADMIN_DISMISSAL,
        "严重警告": Sanction.PARTY_SERIOUS_WARNING,
    },
)

register_aliases(
    WarningLevel,
    {
        "红色": WarningLevel.RED,
        "橙色": WarningLevel.ORANGE,
        "黄色": WarningLevel.YELLOW,
        "蓝色": WarningLevel.BLUE,
    },
)


# --- derived facts ----------------------------------------------------------


def is_minority(ethnicity_code: str | None) -> bool:
    """Whether the code is a minority (少数民族): every valid code but 01 汉族."""
    return bool(ethnicity_code) and ethnicity_code in code_set(Ethnicity) and ethnicity_code != Ethnicity.HAN


def is_non_party(political_code: str | None) -> bool:
    """Whether the code counts as 党外 (04–13: democratic parties, 无党派, 群众)."""
    return political_code in code_set(PoliticalStatus) and "04" <= political_code <= "13"


def education_level(code: str) -> int:
    """The level (10, 20 … 90) an education code belongs to."""
    if code not in code_set(Education):
        raise ValueError(_not_in_table_message(Education, code))
    return int(code) // 10 * 10


# How an education ended, best first; a bare level code (20 大学本科教育) says nothing
# about it and ranks after all three.
_EDUCATION_GRADUATED = frozenset({"11", "14", "17", "21", "28", "31", "41", "44", "47", "61", "71", "81"})
_EDUCATION_COMPLETED = frozenset({"12", "15", "18", "22", "32", "42", "45", "48", "62"})
_EDUCATION_INCOMPLETE = frozenset({"13", "16", "19", "23", "33", "43", "46", "49", "63", "73", "83"})


def _education_rank(code: str) -> tuple[int, int, str]:
    if code in _EDUCATION_GRADUATED:
        ending = 0
    elif code in _EDUCATION_COMPLETED:
        ending = 1
    elif code in _EDUCATION_INCOMPLETE:
        ending = 2
    else:
        ending = 3
    # Smaller is better: level 10 first, then the ending, then the lower code (博士 before
    # 硕士 before 研究生班, 本科 before 普通班) so ties are settled the same way every time.
    return education_level(code), ending, code


def highest_education(codes: Iterable[str | None]) -> str | None:
    """The highest of some education codes (最高学历), or None if all are empty.

    Levels compare first (10 研究生 highest, 90 其他 lowest), then 毕业 over 结业 over
    肄业. Empty values are skipped; an unknown code raises ``ValueError``.
    """
    present = [code for code in codes if code]
    if not present:
        return None
    return min(present, key=_education_rank)
