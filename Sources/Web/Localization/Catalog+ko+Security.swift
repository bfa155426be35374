import Foundation

extension Catalog {
    static let koSecurity: [String: String] = [
        "twofa.title": "2단계 로그인",
        "twofa.off": "꺼짐: 비밀번호만으로 로그인합니다. 켜면 인증 앱(TOTP)의 코드도 묻습니다.",
        "twofa.on": "{time}부터 켜짐, 복구 코드 {n}개 남음.",
        "twofa.enable": "2단계 로그인 켜기",
        "twofa.disable": "2단계 로그인 끄기",
        "twofa.scan": "인증 앱(TOTP 앱)으로 이 코드를 스캔한 뒤, 앱에 표시되는 여섯 자리를 입력해 확인하세요.",
        "twofa.manual": "또는 키를 직접 입력하세요:",
        "twofa.uri": "등록 링크(텍스트)",
        "twofa.code": "여섯 자리 코드(또는 복구 코드)",
        "twofa.confirm": "확인하고 켜기",
        "twofa.enabled": "2단계 로그인이 켜졌습니다.",
        "twofa.recovery_hint": "복구 코드입니다. 휴대폰 없이 각각 한 번 로그인할 수 있습니다. 지금 안전한 곳에 보관하세요. 다시 표시되지 않습니다.",
        "twofa.login_title": "코드 입력",
        "twofa.login_hint": "비밀번호가 맞습니다. 인증 앱에 표시되는 여섯 자리 또는 복구 코드 하나를 입력하세요.",
        "twofa.login_submit": "로그인",
        "twofa.login_restart": "처음부터 다시",
        "notice.second_factor_off": "2단계 로그인이 꺼졌습니다.",
        "sessions.title": "로그인한 브라우저",
        "sessions.hint": "이 계정에 로그인한 모든 브라우저와 클라이언트(최근 순). 모르는 것은 종료하세요(그리고 비밀번호를 바꾸세요).",
        "sessions.agent": "브라우저",
        "sessions.address": "로그인 시 주소",
        "sessions.seen": "마지막 활동",
        "sessions.current": "이 브라우저",
        "sessions.end": "종료",
        "sessions.unknown_agent": "알 수 없는 브라우저",
        "sessions.unknown_address": "기록 없음",
        "notice.session_ended": "세션을 종료했습니다. 그 브라우저는 다시 로그인해야 합니다.",
    ]
}
