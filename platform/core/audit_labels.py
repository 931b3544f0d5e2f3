"""What each audit action is called on the consoles' 最近动态 and 平台审计日志 (the code stays in
the row; the label is for people). An action made from a variable part (``quote.send``,
``booking.arrived``, ``billing.invoice.paid``…) is named by its prefix when it has no name of its own."""

ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout_all": "退出所有设备",
    "auth.password_changed": "修改密码",
    "auth.totp_enabled": "绑定身份验证器",
    "auth.totp_disabled": "解除身份验证器",
    "auth.unlock": "解锁账号",
    "owner.signup": "车主注册",
    # network and customers
    "tier.create": "新建分销层级",
    "network.settings": "分销网络设置",
    "distributor.create": "新增代理人",
    "distributor.move": "调整上级",
    "distributor.status": "代理人状态变更",
    "customer.create": "新增客户",
    "customer.update": "修改客户",
    "customer.document_attached": "附加证件照片",
    "vehicle.create": "新增车辆",
    "vehicle.update": "修改车辆",
    # quotes and policies
    "quote.create": "生成报价",
    "quote.adjust": "调整报价",
    "quote.send": "代理人报价",
    "quote.accept": "确认投保并出单",
    "quote.pay": "确认收款",
    "quote.cancel": "取消报价",
    "quote.expire": "报价过期",
    "quote.surrender": "退保",
    "policy.surrender": "退保",
    "insurer.terms": "保险公司合作条款",
    "insurer.rating_table": "费率表",
    "insurer.staff_add": "添加保险公司员工",
    "vehicle_tax.table": "车船税表",
    # commissions
    "commission.plan.create": "新建返利分成方案",
    "commission.plan.update": "修改返利分成方案",
    "commission.plan.in_force": "方案生效",
    "commission.plan.archived": "归档返利分成方案",
    "commission.plan.deleted": "删除返利分成方案",
    "commission.campaign.create": "新建激励活动",
    "commission.adjustment": "手工调整",
    "commission.period.close": "月度结算",
    "commission.statement.pay": "结算单付款",
    # catalog, gift packs and mall
    "product.save": "保存商品",
    "product.archived": "归档商品",
    "product.deleted": "删除商品",
    "gift_pack.save": "保存礼包",
    "gift_pack.rule.add": "新增随单赠送规则",
    "gift_pack.rule.change": "修改随单赠送规则",
    "gift_pack.issue": "发放礼包",
    "order.place": "商城下单",
    "order.fulfil": "商城发货/核销",
    "order.refund": "商城退款",
    # shops, after-sales, inventory and bookings
    "shop.create": "新增门店",
    "shop.partner": "合作门店",
    "shop.inspection": "门店技术考核",
    "part.save": "保存配件",
    "stock.purchase": "配件入库",
    "stock.consume": "施工领料",
    "stock.adjust": "库存调整",
    "stock.return": "退料",
    "service_parts.set": "服务用料设置",
    "slot_templates.set": "预约时段设置",
    "booking.create": "保养预约",
    "booking.cancel": "取消预约",
    "booking.arrived": "预约到店",
    "booking.no_show": "预约未到店",
    # notices
    "announcement.publish": "发布政策",
    "announcement.insurer_publish": "保险公司发布政策",
    "notice_template.save": "保存消息模板",
    "notice_template.reset": "恢复默认消息模板",
    "wechat_settings.save": "微信公众号设置",
    # the SaaS
    "signup.create": "提交入驻申请",
    "tenant.signup": "自助开通租户",
    "tenant.provision": "开通租户",
    "tenant.suspend": "暂停租户",
    "tenant.resume": "恢复租户",
    "tenant.deletion_request": "申请删除租户",
    "tenant.export_ready": "租户数据导出完成",
    "tenant.delete": "删除租户",
    "plan.create": "新建套餐",
    "plan.update": "修改套餐",
    "subscription.checkout": "发起订阅付款",
    "subscription.plan_change": "变更套餐",
    "branding.update": "品牌设置",
    "branding.logo": "上传标志",
    "branding.favicon": "上传网站图标",
    "domain.add": "添加域名",
    "domain.verify": "验证域名",
    "domain.primary": "设为主域名",
    "domain.remove": "删除域名",
    "support.start": "开始支持会话",
    "support.action": "支持会话操作",
    "support.end": "结束支持会话",
}

# What became of a product or a plan that was withdrawn: archived (it was used) or deleted.
OUTCOME_WORDS = {"archived": "已归档", "deleted": "已删除"}

# Actions whose last part varies: the name of what they are about.
PREFIX_LABELS = {
    "billing.": "Stripe 账单事件",
    "quote.": "报价单",
    "booking.": "预约",
    "branding.": "品牌设置",
    "product.": "商品",
    "commission.plan.": "返利分成方案",
}


def audit_action_label(action: str) -> str:
    """The action's name for people: its own, else its prefix's, else the code itself."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    for prefix in sorted(PREFIX_LABELS, key=len, reverse=True):
        if action.startswith(prefix):
            return PREFIX_LABELS[prefix]
    return action
