"""The VBA the add-in carries, written as text at build time.

- ``udf_module``: one wrapper per SD_* function, the text xlwings' own
  ``ImportPythonUDFs`` writes (``xlwings.udfs.generate_vba_wrapper``, tested
  line for line), so the add-in has the functions without the VBA editor;
- ``ribbon_module``: the ribbon's callbacks (one Sub per button, labels in the
  workbook's language) and the function descriptions for Insert Function;
- ``this_workbook_code``: the add-in's events (register the descriptions when
  it opens, relabel the ribbon when another workbook is activated).

VBA source is stored in the project's code page (Windows-1252), so text
outside ASCII (Chinese labels) is spelled as character codes and decoded by
the small VBA function ``SalesdeckText`` at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The module xlwings' own import writes: importing the functions again later replaces it.
UDF_MODULE = "xlwings_udfs"
RIBBON_MODULE = "SalesdeckRibbon"
#: The reserved argument xlwings fills with the calling range (not an Excel argument).
CALLER = "caller"
_MAX_LINE = 200  # VBA allows 1023 characters per line; shorter lines stay readable


@dataclass(frozen=True)
class Button:
    """A ribbon button: its control id, icon, the VBA Sub it calls and the Python it runs."""

    id: str
    image: str
    sub: str
    python: str
    label: dict[str, str]
    screentip: dict[str, str]
    supertip: dict[str, str]


def crlf(lines: list[str]) -> str:
    return "".join(line + "\r\n" for line in lines)


# ---------------------------------------------------------------- strings
def vba_string(text: str) -> str:
    """A VBA expression for ``text``: ASCII as a literal, anything else as U("code,code") (decoded at run time)."""
    parts: list[str] = []
    run, wide = "", False
    for ch in text:
        is_wide = not 32 <= ord(ch) <= 126
        if run and is_wide != wide:
            parts.append(_part(run, wide))
            run = ""
        run += ch
        wide = is_wide
    if run:
        parts.append(_part(run, wide))
    return " & ".join(parts) if parts else '""'


def _part(run: str, wide: bool) -> str:
    """One run of text as literals or U() calls, in pieces short enough to wrap lines between."""
    size = 25 if wide else 150
    pieces = [run[i:i + size] for i in range(0, len(run), size)]
    if wide:
        return " & ".join('U("' + ",".join(str(ord(c)) for c in piece) + '")' for piece in pieces)
    return " & ".join('"' + piece.replace('"', '""') + '"' for piece in pieces)


def assign(variable: str, text: str) -> list[str]:
    """Statements that set ``variable`` to ``text``, each line short enough for VBA."""
    pieces = vba_string(text).split(" & ")
    lines, current = [], ""
    for piece in pieces:
        if current and len(current) + len(piece) + 3 > _MAX_LINE:
            lines.append(current)
            current = ""
        current = f"{current} & {piece}" if current else piece
    lines.append(current)
    return [f"{variable} = {lines[0]}"] + [f"{variable} = {variable} & {rest}" for rest in lines[1:]]


# ---------------------------------------------------------------- functions
def udf_functions(module: Any) -> list[dict]:
    """The ``__xlfunc__`` of every function in ``module``, in the order xlwings writes them (by name)."""
    found = (getattr(module, name) for name in dir(module))
    return [f.__xlfunc__ for f in found if hasattr(f, "__xlfunc__")]


def _vba_arg(arg: dict) -> str | None:
    return "Nothing" if arg["name"] == CALLER else arg["vba"]


def wrapper(xlfunc: dict, module_name: str) -> list[str]:
    """The VBA wrapper of one function, as ``xlwings.udfs.generate_vba_wrapper`` writes it for an add-in."""
    name, kind = xlfunc["name"], "Sub" if xlfunc["sub"] else "Function"
    params = []
    for arg in xlfunc["args"]:
        if _vba_arg(arg):
            continue
        if arg["vararg"]:
            raise ValueError(f"{name}: *{arg['name']} is not supported")
        params.append(("Optional " if "optional" in arg else "") + arg["name"])
    if kind == "Sub":
        raise ValueError(f"{name}: xlwings subs are not supported")
    values = ", ".join(_vba_arg(a) or a["name"] for a in xlfunc["args"])
    call = f'XLPy.CallUDF("{module_name}", "{name}", Array({values})'
    lines = [f"{kind} {name}({', '.join(params)})"]
    if not xlfunc["call_in_wizard"]:
        lines.append('    If (Not Application.CommandBars("Standard").Controls(1).Enabled) Then Exit Function')
    if xlfunc["volatile"]:
        lines.append("    Application.Volatile")
    lines += ['    #If App = "Microsoft Excel" Then',
              "        If TypeOf Application.Caller Is Range Then On Error GoTo failed",
              f"        {name} = {call}, ActiveWorkbook, Application.Caller)",
              f"        Exit {kind}",
              "    #Else",
              f"        {name} = {call})",
              f"        Exit {kind}",
              "    #End If",
              "failed:",
              f"    {name} = Err.Description"]
    return lines + [f"End {kind}", ""]


def udf_module(module: Any, module_name: str) -> str:
    """The ``xlwings_udfs`` module: every function of ``module`` (imported in Python as ``module_name``)."""
    lines = [f'Attribute VB_Name = "{UDF_MODULE}"',
             "'Autogenerated code by xlwings - changes will be lost with next import!",
             """#Const App = "Microsoft Excel" 'Adjust when using outside of Excel"""]
    for xlfunc in udf_functions(module):
        lines += wrapper(xlfunc, module_name)
    return crlf(lines)


def _registration(functions: list[dict], category: str) -> list[str]:
    """A Sub giving Insert Function each function's category, description and argument help."""
    lines = ["Public Sub SalesdeckRegisterFunctions()",
             "    ' Insert Function (fx): category, description and argument help of every SD_* function",
             "    Dim book As String, d As String, a() As Variant",
             "    On Error Resume Next",
             "    book = \"'\" & ThisWorkbook.Name & \"'!\""]
    for xlfunc in functions:
        args = [a for a in xlfunc["args"] if not _vba_arg(a)]
        lines += ["    " + s for s in assign("d", xlfunc["ret"]["doc"][:255])]
        lines.append(f"    ReDim a(0 To {max(len(args), 1) - 1})")
        for i, arg in enumerate(args):
            lines += ["    " + s for s in assign(f"a({i})", arg["doc"][:255])]
        lines += ["    If Val(Application.Version) >= 14 Then",
                  f'        Application.MacroOptions Macro:=book & "{xlfunc["name"]}", Description:=d, '
                  f'Category:="{category}", ArgumentDescriptions:=a',
                  "    Else",
                  f'        Application.MacroOptions Macro:=book & "{xlfunc["name"]}", Description:=d, '
                  f'Category:="{category}"',
                  "    End If"]
    return lines + ["End Sub", ""]


# ---------------------------------------------------------------- ribbon
def _texts(buttons: list[Button], messages: dict[str, dict[str, str]]) -> list[str]:
    lines = ["Private Function SalesdeckText(key As String) As String",
             "    Select Case key"]
    entries = {}
    for b in buttons:
        for field in ("label", "screentip", "supertip"):
            for lang, text in getattr(b, field).items():
                entries[f"{b.id}.{field}.{lang}"] = text
    for key, by_lang in messages.items():
        for lang, text in by_lang.items():
            entries[f"{key}.{lang}"] = text
    for key, text in entries.items():
        lines.append(f'    Case "{key}"')
        lines += ["        " + s for s in assign("SalesdeckText", text)]
    return lines + ["    End Select", "End Function", ""]


def _one_of(values: list[str]) -> str:
    return "Array(" + ", ".join(vba_string(v) for v in values) + ")"


def _language(settings_sheets: list[str], language_labels: list[str], english: list[str]) -> list[str]:
    """VBA that tells the active workbook's language as the reader does: Settings' language, else zh."""
    return [
        "Private Function SalesdeckLanguage() As String",
        "    ' \"en\" when the active workbook's Settings sheet says English, else \"zh\"",
        "    Dim sht As Object, found As Object, label As Variant",
        '    SalesdeckLanguage = "zh"',
        "    On Error GoTo done",
        "    If ActiveWorkbook Is Nothing Then Exit Function",
        "    For Each sht In ActiveWorkbook.Worksheets",
        f"        If IsOneOf(sht.Name, {_one_of(settings_sheets)}) Then",
        f"            For Each label In {_one_of(language_labels)}",
        "                Set found = sht.UsedRange.Find(What:=label, LookIn:=xlValues, LookAt:=xlWhole, MatchCase:=False)",
        "                If Not found Is Nothing Then",
        f'                    If IsOneOf(CStr(found.Offset(0, 1).Value), {_one_of(english)}) Then SalesdeckLanguage = "en"',
        "                    Exit Function",
        "                End If",
        "            Next label",
        "        End If",
        "    Next sht",
        "done:",
        "End Function",
        "",
        "Private Function IsOneOf(ByVal value As String, names As Variant) As Boolean",
        "    Dim candidate As Variant",
        "    value = LCase$(Trim$(value))",
        "    For Each candidate In names",
        "        If value = LCase$(candidate) Then IsOneOf = True: Exit Function",
        "    Next candidate",
        "End Function",
        "",
    ]


def ribbon_module(buttons: list[Button], functions: list[dict], category: str, messages: dict[str, dict[str, str]],
                  settings_sheets: list[str], language_labels: list[str], english: list[str]) -> str:
    """The ``SalesdeckRibbon`` module: button callbacks, labels, language, function descriptions."""
    lines = [f'Attribute VB_Name = "{RIBBON_MODULE}"',
             "' The Sales Tools ribbon of salesdeck.xlam; written by `salesdeck addin build` (edits are lost on rebuild).",
             "Option Explicit",
             "",
             "Private SalesdeckUI As IRibbonUI",
             "",
             "Public Sub SalesdeckOnLoad(ribbon As IRibbonUI)",
             "    Set SalesdeckUI = ribbon",
             "End Sub",
             "",
             "Public Sub SalesdeckInvalidate()",
             "    ' Labels follow the active workbook's language",
             "    On Error Resume Next",
             "    If Not SalesdeckUI Is Nothing Then SalesdeckUI.Invalidate",
             "End Sub",
             ""]
    for b in buttons:
        lines += [f"Public Sub {b.sub}(control As IRibbonControl)",
                  f'    SalesdeckRun "{b.python}"',
                  "End Sub",
                  ""]
    lines += ["Private Sub SalesdeckRun(pythonCode As String)",
              "    If ActiveWorkbook Is Nothing Then",
              '        MsgBox SalesdeckText("no_workbook." & SalesdeckLanguage()), vbInformation, "salesdeck"',
              "        Exit Sub",
              "    End If",
              "    RunPython pythonCode",
              "End Sub",
              ""]
    for field, title in (("label", "Label"), ("screentip", "Screentip"), ("supertip", "Supertip")):
        lines += [f"Public Sub SalesdeckGet{title}(control As IRibbonControl, ByRef returnedVal)",
                  f'    returnedVal = SalesdeckText(control.Id & ".{field}." & SalesdeckLanguage())',
                  "End Sub",
                  ""]
    lines += _language(settings_sheets, language_labels, english)
    lines += _texts(buttons, messages)
    lines += ["Private Function U(codes As String) As String",
              "    ' Text outside ASCII, spelled as Unicode character codes: U(\"38144,21806\")",
              "    Dim code As Variant",
              "    For Each code In Split(codes, \",\")",
              "        U = U & ChrW(CLng(code))",
              "    Next code",
              "End Function",
              ""]
    lines += _registration(functions, category)
    return crlf(lines)


def this_workbook_code() -> str:
    """Code appended to the add-in's ThisWorkbook module."""
    return crlf(["Private WithEvents SalesdeckApp As Application",
                 "",
                 "Private Sub Workbook_Open()",
                 "    ' salesdeck: describe the SD_* functions for Insert Function; relabel the ribbon per workbook",
                 "    Set SalesdeckApp = Application",
                 f"    {RIBBON_MODULE}.SalesdeckRegisterFunctions",
                 "End Sub",
                 "",
                 "Private Sub SalesdeckApp_WorkbookActivate(ByVal Wb As Workbook)",
                 f"    {RIBBON_MODULE}.SalesdeckInvalidate",
                 "End Sub"])
