<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AssessmentView</name>
    <message>
        <source>输入或口述病情后，这里即时显示识别的要素、拟诊、补病史、风险评估、建议处置与提醒。</source>
        <translation>Type or dictate the presentation: findings, provisional diagnosis, history to ask, risk assessment, suggested workup and reminders appear here at once.</translation>
    </message>
    <message>
        <source>识别要素（点击查看原文依据）</source>
        <translation>Findings (click one to see its words)</translation>
    </message>
    <message>
        <source>拟诊</source>
        <translation>Provisional diagnosis</translation>
    </message>
    <message>
        <source>补病史（点击插入输入框）</source>
        <translation>History to ask (click to insert)</translation>
    </message>
    <message>
        <source>风险评估</source>
        <translation>Risk assessment</translation>
    </message>
    <message>
        <source>建议处置</source>
        <translation>Suggested workup</translation>
    </message>
    <message>
        <source>日程提醒</source>
        <translation>Reminders</translation>
    </message>
    <message>
        <source>尚未识别到临床要素</source>
        <translation>No clinical findings recognised yet</translation>
    </message>
    <message>
        <source>鉴别：</source>
        <translation>Differentials: </translation>
    </message>
    <message>
        <source>插入输入框，在冒号后补充回答</source>
        <translation>Insert into the input; type the answer after the colon</translation>
    </message>
    <message>
        <source>收起</source>
        <translation>Show fewer</translation>
    </message>
    <message>
        <source>显示全部 {0} 条</source>
        <translation>Show all {0}</translation>
    </message>
    <message>
        <source>部分结果：可能范围 {0}–{1} 分，尚缺 {2} 项</source>
        <translation>Partial: possible range {0}–{1} points, {2} inputs missing</translation>
    </message>
    <message>
        <source>出处：</source>
        <translation>Source: </translation>
    </message>
    <message>
        <source>评分由程序按原始文献计算，非模型生成</source>
        <translation>Computed by the program from the published definition, never by the model</translation>
    </message>
    <message>
        <source>{0} 分</source>
        <translation>{0} points</translation>
    </message>
    <message>
        <source>已得 {0} 分（未完整）</source>
        <translation>{0} points so far (incomplete)</translation>
    </message>
    <message>
        <source>开始计时</source>
        <translation>Start timer</translation>
    </message>
    <message>
        <source>到时以托盘消息和提示音提醒（重启后仍保留）</source>
        <translation>Notifies with a tray message and a sound when due (kept across restarts)</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>&lt;b&gt;已计时，还剩 {0} 分钟&lt;/b&gt;：{1}</source>
        <translation>&lt;b&gt;Timer running, {0} min left&lt;/b&gt;: {1}</translation>
    </message>
    <message>
        <source>{0} 分钟后 {1}</source>
        <translation>in {0} min: {1}</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>知道了</source>
        <translation>Got it</translation>
    </message>
</context>
<context>
    <name>CaseSession</name>
    <message>
        <source>病例暂存不可用：输入仅保存在内存中，请勿关闭面板。（{0}）</source>
        <translation>The case journal is unavailable: input is kept in memory only, do not close the panel. ({0})</translation>
    </message>
    <message>
        <source>图片过大（超过 20 MB），未添加</source>
        <translation>Picture too large (over 20 MB); not added</translation>
    </message>
    <message>
        <source>该病例已不在暂存中（已过保留期）</source>
        <translation>That case is no longer in the journal (retention period over)</translation>
    </message>
    <message>
        <source>已恢复上次未完成的病例</source>
        <translation>The unfinished case from last time was restored</translation>
    </message>
    <message>
        <source>（另有 {0} 个未完成病例）</source>
        <translation> ({0} more unfinished cases)</translation>
    </message>
    <message>
        <source>审计记录写入失败（{0}），请联系信息科</source>
        <translation>The audit entry could not be written ({0}); please contact IT</translation>
    </message>
    <message>
        <source>病例暂存失败（{0}）</source>
        <translation>Saving the case failed ({0})</translation>
    </message>
</context>
<context>
    <name>ConnectionMonitor</name>
    <message>
        <source>仅规则引擎（未配置推理服务器）</source>
        <translation>Rules engine only (no inference box configured)</translation>
    </message>
    <message>
        <source>正在连接推理服务器…</source>
        <translation>Connecting to the inference box…</translation>
    </message>
    <message>
        <source>推理服务器已连接</source>
        <translation>Inference box connected</translation>
    </message>
    <message>
        <source>推理服务器断开（规则引擎工作中）</source>
        <translation>Inference box down (rules engine working)</translation>
    </message>
    <message>
        <source>模型生成中…</source>
        <translation>Model drafting…</translation>
    </message>
    <message>
        <source>推理服务器暂时连不上：草稿由规则引擎生成，评分与提醒不受影响，输入内容不会丢失。服务器恢复后会自动使用模型。</source>
        <translation>The inference box cannot be reached right now: the draft comes from the rules engine, scores and reminders are unaffected, and nothing you entered is lost. The model is used again as soon as the box is back.</translation>
    </message>
    <message>
        <source>推理服务器拒绝了 API 密钥：草稿由规则引擎生成。请在设置中重新输入密钥，或联系信息科。</source>
        <translation>The inference box refused the API key: the draft comes from the rules engine. Enter the key again in Settings, or contact IT.</translation>
    </message>
    <message>
        <source>输入内容太长，模型无法处理：草稿由规则引擎生成。可精简输入后重试。</source>
        <translation>The input is too long for the model: the draft comes from the rules engine. Shorten the input to try again.</translation>
    </message>
    <message>
        <source>模型这次的回答不可用：已显示规则引擎草稿，输入内容不受影响。</source>
        <translation>The model&apos;s answer was unusable this time: the rules engine draft is shown; your input is unaffected.</translation>
    </message>
    <message>
        <source>模型草稿出错：已显示规则引擎草稿，输入内容不受影响。</source>
        <translation>The model draft failed: the rules engine draft is shown; your input is unaffected.</translation>
    </message>
</context>
<context>
    <name>DictationWidget</name>
    <message>
        <source>病情描述</source>
        <translation>Presentation</translation>
    </message>
    <message>
        <source>🎤 口述</source>
        <translation>🎤 Dictate</translation>
    </message>
    <message>
        <source>语音输入</source>
        <translation>Dictation</translation>
    </message>
    <message>
        <source>点按开关</source>
        <translation>Click on/off</translation>
    </message>
    <message>
        <source>按住说话</source>
        <translation>Push to talk</translation>
    </message>
    <message>
        <source>口述方式</source>
        <translation>Dictation mode</translation>
    </message>
    <message>
        <source>按住 {0} 或按住按钮说话</source>
        <translation>Hold {0} or hold the button and speak</translation>
    </message>
    <message>
        <source>按 {0} 或点击按钮开始/停止口述</source>
        <translation>Press {0} or click the button to start/stop dictating</translation>
    </message>
    <message>
        <source>正在加载语音模型…</source>
        <translation>Loading the speech model…</translation>
    </message>
    <message>
        <source>语音输入不可用，可继续打字：{0}</source>
        <translation>Dictation unavailable, typing still works: {0}</translation>
    </message>
    <message>
        <source>正在听…</source>
        <translation>Listening…</translation>
    </message>
    <message>
        <source>正在识别最后的文字…</source>
        <translation>Recognising the last words…</translation>
    </message>
    <message>
        <source>撤销更正：{0}</source>
        <translation>Undo corrections: {0}</translation>
    </message>
</context>
<context>
    <name>DraftView</name>
    <message>
        <source>复制全部病史</source>
        <translation>Copy whole history</translation>
    </message>
    <message>
        <source>复制整份病史草稿（纯文本），到 HIS 中粘贴</source>
        <translation>Copy the whole history draft (plain text) to paste into the HIS</translation>
    </message>
    <message>
        <source>知识库引用</source>
        <translation>Knowledge-base citations</translation>
    </message>
    <message>
        <source>辅助决策：草稿由医生审核修改后使用</source>
        <translation>Decision support: the doctor reviews and edits the draft before use</translation>
    </message>
    <message>
        <source>已修改</source>
        <translation>Edited</translation>
    </message>
    <message>
        <source>生成中…</source>
        <translation>Writing…</translation>
    </message>
    <message>
        <source>规则引擎</source>
        <translation>Rules engine</translation>
    </message>
    <message>
        <source>规则引擎+模型</source>
        <translation>Rules engine + model</translation>
    </message>
    <message>
        <source>模型</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>{0} · {1} 生成</source>
        <translation>{0} · made {1}</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <source>快捷键与说明</source>
        <translation>Shortcuts and help</translation>
    </message>
    <message>
        <source>急诊哨兵根据口述或输入的病情即时给出识别要素、拟诊、补病史、风险评估、建议处置和提醒，并起草病史。所有内容均为辅助决策，由医生判断、修改后自行复制到 HIS；本程序不会自动向 HIS 输入任何内容。</source>
        <translation>ED Sentinel turns the dictated or typed presentation into findings, a provisional diagnosis, history to ask, risk assessment, suggested workup and reminders, and drafts the history. Everything is decision support: the doctor judges, edits and copies it into the HIS; this program never types anything into the HIS.</translation>
    </message>
    <message>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>快捷键</source>
        <translation>Shortcut</translation>
    </message>
</context>
<context>
    <name>InputPanel</name>
    <message>
        <source>心率</source>
        <translation>HR</translation>
    </message>
    <message>
        <source>次/分</source>
        <translation>/min</translation>
    </message>
    <message>
        <source>收缩压</source>
        <translation>SBP</translation>
    </message>
    <message>
        <source>舒张压</source>
        <translation>DBP</translation>
    </message>
    <message>
        <source>呼吸</source>
        <translation>RR</translation>
    </message>
    <message>
        <source>体温</source>
        <translation>Temp</translation>
    </message>
    <message>
        <source>口述或输入病情，例如：持续左胸痛3小时 压榨样 冷汗 气促</source>
        <translation>Dictate or type the presentation (Chinese), e.g. 持续左胸痛3小时 压榨样 冷汗 气促</translation>
    </message>
    <message>
        <source>病情描述</source>
        <translation>Presentation</translation>
    </message>
    <message>
        <source>模板</source>
        <translation>Template</translation>
    </message>
    <message>
        <source>存为我的</source>
        <translation>Save as mine</translation>
    </message>
    <message>
        <source>把当前模板和结构化设置存为我的模板</source>
        <translation>Save the current template and structured set-up as my template</translation>
    </message>
    <message>
        <source>病程</source>
        <translation>Course</translation>
    </message>
    <message>
        <source>病程未填</source>
        <translation>Course: not set</translation>
    </message>
    <message>
        <source>持续性</source>
        <translation>Persistent</translation>
    </message>
    <message>
        <source>间断性</source>
        <translation>Intermittent</translation>
    </message>
    <message>
        <source>时长</source>
        <translation>Duration</translation>
    </message>
    <message>
        <source>持续时间</source>
        <translation>Duration</translation>
    </message>
    <message>
        <source>时间单位</source>
        <translation>Time unit</translation>
    </message>
    <message>
        <source>分钟</source>
        <translation>minutes</translation>
    </message>
    <message>
        <source>小时</source>
        <translation>hours</translation>
    </message>
    <message>
        <source>天</source>
        <translation>days</translation>
    </message>
    <message>
        <source>图片资料…</source>
        <translation>Pictures…</translation>
    </message>
    <message>
        <source>附加心电图、检查单等图片（随病例加密保存）</source>
        <translation>Attach ECGs, reports and other pictures (kept encrypted with the case)</translation>
    </message>
    <message>
        <source>男</source>
        <translation>male</translation>
    </message>
    <message>
        <source>女</source>
        <translation>female</translation>
    </message>
    <message>
        <source>{0}岁</source>
        <translation>{0} y</translation>
    </message>
    <message>
        <source>就诊号 {0}</source>
        <translation>visit {0}</translation>
    </message>
    <message>
        <source>HIS 带入：</source>
        <translation>From the HIS: </translation>
    </message>
    <message>
        <source>左臂</source>
        <translation>left arm</translation>
    </message>
    <message>
        <source>右臂</source>
        <translation>right arm</translation>
    </message>
    <message>
        <source>双上肢血压：</source>
        <translation>BP both arms: </translation>
    </message>
    <message>
        <source>公共</source>
        <translation>Public</translation>
    </message>
    <message>
        <source>我的</source>
        <translation>Mine</translation>
    </message>
    <message>
        <source>选择图片</source>
        <translation>Choose pictures</translation>
    </message>
    <message>
        <source>图片 (*.png *.jpg *.jpeg *.bmp *.gif)</source>
        <translation>Pictures (*.png *.jpg *.jpeg *.bmp *.gif)</translation>
    </message>
    <message>
        <source>无法读取图片 {0}：{1}</source>
        <translation>Cannot read picture {0}: {1}</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <source>麦克风音量</source>
        <translation>Microphone level</translation>
    </message>
</context>
<context>
    <name>NumberBox</name>
    <message>
        <source>超出范围 {0:g}–{1:g}</source>
        <translation>Outside {0:g}–{1:g}</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <source>口述：开始/停止（按住说话模式下按住）</source>
        <translation>Dictation: start/stop (hold it in push-to-talk mode)</translation>
    </message>
</context>
<context>
    <name>PanelWindow</name>
    <message>
        <source>急诊哨兵 · 辅助决策</source>
        <translation>ED Sentinel · Decision support</translation>
    </message>
    <message>
        <source>急诊哨兵</source>
        <translation>ED Sentinel</translation>
    </message>
    <message>
        <source>辅助决策</source>
        <translation>Decision support</translation>
    </message>
    <message>
        <source>所有内容均为辅助决策建议，由医生判断和修改后使用</source>
        <translation>Everything shown is decision support, judged and edited by the doctor before use</translation>
    </message>
    <message>
        <source>风险评估</source>
        <translation>Risk assessment</translation>
    </message>
    <message>
        <source>病史草稿</source>
        <translation>History draft</translation>
    </message>
    <message>
        <source>新病例</source>
        <translation>New case</translation>
    </message>
    <message>
        <source>输入病情</source>
        <translation>Type the presentation</translation>
    </message>
    <message>
        <source>选择模板</source>
        <translation>Choose a template</translation>
    </message>
    <message>
        <source>立即重新生成</source>
        <translation>Redraft now</translation>
    </message>
    <message>
        <source>复制全部病史</source>
        <translation>Copy whole history</translation>
    </message>
    <message>
        <source>查看风险评估</source>
        <translation>Show the risk assessment</translation>
    </message>
    <message>
        <source>查看病史草稿</source>
        <translation>Show the history draft</translation>
    </message>
    <message>
        <source>转到第一个补病史问题</source>
        <translation>Go to the first history question</translation>
    </message>
    <message>
        <source>窗口置顶</source>
        <translation>Always on top</translation>
    </message>
    <message>
        <source>紧凑模式</source>
        <translation>Compact mode</translation>
    </message>
    <message>
        <source>停靠屏幕左侧</source>
        <translation>Dock to the left edge</translation>
    </message>
    <message>
        <source>停靠屏幕右侧</source>
        <translation>Dock to the right edge</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>快捷键帮助</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>置顶</source>
        <translation>On top</translation>
    </message>
    <message>
        <source>紧凑</source>
        <translation>Compact</translation>
    </message>
    <message>
        <source>帮助</source>
        <translation>Help</translation>
    </message>
    <message>
        <source>未完成</source>
        <translation>Open cases</translation>
    </message>
    <message>
        <source>未完成的病例</source>
        <translation>Unfinished cases</translation>
    </message>
    <message>
        <source>换边</source>
        <translation>Other side</translation>
    </message>
    <message>
        <source>停靠到另一侧</source>
        <translation>Dock to the other side</translation>
    </message>
    <message>
        <source>整份病史</source>
        <translation>the whole history</translation>
    </message>
    <message>
        <source>已复制{0}，可在 HIS 中粘贴</source>
        <translation>Copied {0}; paste it into the HIS</translation>
    </message>
    <message>
        <source>提醒到时：{0}</source>
        <translation>Reminder due: {0}</translation>
    </message>
    <message>
        <source>急诊哨兵提醒</source>
        <translation>ED Sentinel reminder</translation>
    </message>
    <message>
        <source>HIS 交接数据被拒绝，当前病例未改变：{0}</source>
        <translation>The HIS hand-over was refused; the current case is unchanged: {0}</translation>
    </message>
    <message>
        <source>存为我的模板</source>
        <translation>Save as my template</translation>
    </message>
    <message>
        <source>模板名称：</source>
        <translation>Template name:</translation>
    </message>
    <message>
        <source>模板未保存：{0}</source>
        <translation>Template not saved: {0}</translation>
    </message>
    <message>
        <source>已存为我的模板：{0}</source>
        <translation>Saved as my template: {0}</translation>
    </message>
</context>
<context>
    <name>RiskBadge</name>
    <message>
        <source>高危</source>
        <translation>High risk</translation>
    </message>
    <message>
        <source>中危</source>
        <translation>Moderate risk</translation>
    </message>
    <message>
        <source>低危</source>
        <translation>Low risk</translation>
    </message>
    <message>
        <source>风险等级 —</source>
        <translation>Risk level —</translation>
    </message>
    <message>
        <source>风险等级（辅助决策，由医生判断）</source>
        <translation>Risk level (decision support; the doctor decides)</translation>
    </message>
</context>
<context>
    <name>SectionBox</name>
    <message>
        <source>恢复</source>
        <translation>Restore</translation>
    </message>
    <message>
        <source>放弃修改，恢复生成的内容</source>
        <translation>Discard my edits and restore the generated text</translation>
    </message>
    <message>
        <source>复制</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>复制本节（纯文本）到剪贴板</source>
        <translation>Copy this section (plain text) to the clipboard</translation>
    </message>
    <message>
        <source>复制{0}</source>
        <translation>Copy {0}</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>每行一个地址，按顺序尝试（前一个不通时用下一个）</source>
        <translation>One URL per line, tried in order (the next one when the one before fails)</translation>
    </message>
    <message>
        <source>推理服务器地址</source>
        <translation>Inference box URLs</translation>
    </message>
    <message>
        <source>API 密钥</source>
        <translation>API key</translation>
    </message>
    <message>
        <source>CA 证书（PEM）</source>
        <translation>CA bundle (PEM)</translation>
    </message>
    <message>
        <source>知识库来源</source>
        <translation>Knowledge-base source</translation>
    </message>
    <message>
        <source>Vosk 语音模型文件夹</source>
        <translation>Vosk model folder</translation>
    </message>
    <message>
        <source>科室词表</source>
        <translation>Department word list</translation>
    </message>
    <message>
        <source>界面语言</source>
        <translation>Interface language</translation>
    </message>
    <message>
        <source>肌钙蛋白方案</source>
        <translation>Troponin protocol</translation>
    </message>
    <message>
        <source>肌钙蛋白检测</source>
        <translation>Troponin assay</translation>
    </message>
    <message>
        <source> 小时</source>
        <translation> hours</translation>
    </message>
    <message>
        <source>病例暂存保留</source>
        <translation>Keep cases for</translation>
    </message>
    <message>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>选择文件夹</source>
        <translation>Choose a folder</translation>
    </message>
    <message>
        <source>选择文件</source>
        <translation>Choose a file</translation>
    </message>
    <message>
        <source>由医院策略设定，不能在此修改</source>
        <translation>Set by hospital policy; cannot be changed here</translation>
    </message>
    <message>
        <source>已保存密钥（不显示）；输入新密钥可替换</source>
        <translation>A key is stored (never shown); type a new one to replace it</translation>
    </message>
    <message>
        <source>未保存密钥</source>
        <translation>No key stored</translation>
    </message>
    <message>
        <source>先填写推理服务器地址，再保存密钥</source>
        <translation>Enter the inference box URL first, then the key</translation>
    </message>
    <message>
        <source>密钥未保存：系统凭据管理器不可用（{0}）</source>
        <translation>Key not saved: the system credential store is unavailable ({0})</translation>
    </message>
    <message>
        <source>语言和语音设置在下次启动后生效</source>
        <translation>Language and dictation settings take effect at the next start</translation>
    </message>
</context>
<context>
    <name>VitalBox</name>
    <message>
        <source>预检带入</source>
        <translation>From triage</translation>
    </message>
</context>
</TS>
