"""Browser (issue 15): an empty install → set-up page → import the tree → import the roster →
accounts for a branch → print slips → a member signs in with a slip's password through the QR
link, changes it and lands where the QR code pointed."""

import pytest

from tests.from_zero_files import ORG_ROWS, roster_rows, xlsx


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_from_empty_install_to_a_member_signing_in(page, browser, live_server, settings, tmp_path):
    settings.DEMO_MODE = False
    orgs, roster = tmp_path / "组织架构.xlsx", tmp_path / "党员名册.xlsx"
    orgs.write_bytes(xlsx(ORG_ROWS))
    roster.write_bytes(xlsx(roster_rows()))

    page.goto(live_server.url + "/")
    assert page.url.endswith("/accounts/setup/")
    page.fill("#id_name", "中共桃川镇委员会")
    page.fill("#id_short_name", "桃川镇党委")
    page.fill("#id_username", "admin")
    page.fill("#id_full_name", "组织委员")
    page.fill("#id_password1", "Strong-pass-2025!")
    page.fill("#id_password2", "Strong-pass-2025!")
    with page.expect_navigation():
        page.click("#setup-form button[type=submit]")
    assert "从零开始" in page.content() and "下一步" in page.content()

    with page.expect_navigation():
        page.click("text=1. 组织架构（支部、党小组）")
    page.set_input_files("#import-file", str(orgs))
    with page.expect_navigation():
        page.click("#import-upload")
    # the preview: the top org exists (its 成立日期 is added), the other three are new; nothing written yet
    assert "新建 3 个党组织，更新 1 个" in page.content()
    assert page.locator("#import-plan tbody tr").count() == 4
    with page.expect_navigation():
        page.click("#import-confirm")
    assert "组织架构导入完成：新建 3 个" in page.content()

    page.goto(live_server.url + "/members/import/")
    page.set_input_files("#id_file", str(roster))
    with page.expect_navigation():
        page.click("text=上传并检查")
    with page.expect_navigation():
        page.click("text=确认导入")
    assert "新增 6 人" in page.content()

    page.goto(live_server.url + "/accounts/bulk/")
    page.select_option("#branch-select", label="中共桃川镇机关支部委员会")
    with page.expect_navigation():
        page.click('main button:has-text("查看")')
    with page.expect_navigation():
        page.click("#make-members")
    slips = page.locator(".slip")
    assert slips.count() == 4 and page.locator(".slip svg").count() == 4
    slip = page.locator(".slip", has_text="赵六")
    username = slip.locator(".username").inner_text()
    password = slip.locator(".pw").inner_text()
    link = slip.locator(".link").inner_text()
    assert link.startswith(live_server.url + "/accounts/login/?next=")
    pdf = page.pdf(format="A4")  # prints: the four slips fit one A4 sheet
    assert pdf[:4] == b"%PDF" and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1
    # the same slips as Word: a stated purpose, downloaded once
    page.fill("#id_purpose", "打印发放机关支部党员账号")
    with page.expect_download() as dl:
        page.click("#slips-docx")
    assert dl.value.suggested_filename.endswith(".docx")

    # The member, on their own phone, scans the QR code (the link), signs in and changes the password.
    ctx = browser.new_context(locale="zh-CN")
    phone = ctx.new_page()
    phone.goto(link)
    phone.fill("#id_username", username)
    phone.fill("#id_password", password)
    with phone.expect_navigation():
        phone.click("button[type=submit]")
    assert "/accounts/password/" in phone.url and "首次登录" in phone.content()
    phone.fill("#id_old_password", password)
    phone.fill("#id_new_password1", "Zhao-liu-own-2025")
    phone.fill("#id_new_password2", "Zhao-liu-own-2025")
    with phone.expect_navigation():
        phone.click("text=保存新密码")
    assert phone.url == live_server.url + "/members/me/"
    assert "赵六" in phone.content()
    ctx.close()
