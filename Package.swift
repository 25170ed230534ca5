// swift-tools-version:6.0
import Foundation
import PackageDescription

/// SIMD flags for the face shim, as far as the building CPU has them: dlib's HOG filters and features then run
/// 8 floats (AVX) and 8 ints (AVX2) at a time (face stage ~40 % less CPU, identical DEV output). winnow is built
/// where it runs (`scripts/setup`), so the building CPU is the running one; a CPU without them gets dlib's SSE2
/// code instead of an illegal instruction.
let cpuFlags = Set((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("flags") }?
    .split(separator: " ").map(String.init) ?? [])
let faceShimSIMD = cpuFlags.contains("avx") ? ["-mavx"] + (cpuFlags.contains("avx2") ? ["-mavx2"] : []) : []
/// The same for winnow's own Swift: its SIMD loops (the second look, the detail spectrum's FFT, the JPEG
/// tile scores) run in AVX2 registers where the building CPU has them. Only the registers change: Swift
/// does not fuse multiplies and adds, so every figure is the same to the bit.
let coreSIMD: [SwiftSetting] = ["avx2", "bmi2", "fma"].allSatisfy(cpuFlags.contains)
    ? [.unsafeFlags(["-target-cpu", "haswell"])] : []

let package = Package(
    name: "winnow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "winnow", targets: ["winnow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // System libraries and their C shims: the only code that touches C.
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .target(name: "VipsShim", dependencies: ["CVips"]),
        // libjpeg-turbo's coefficient API (one entropy-decoding pass, no pixels) behind a small C API.
        .target(name: "JPEGShim", linkerSettings: [.linkedLibrary("jpeg")]),
        // libwebp straight to the Y, U, V planes (libvips' WebP loader holds a whole RGBA frame).
        .target(name: "WebPShim", linkerSettings: [.linkedLibrary("webp"), .linkedLibrary("webpdemux")]),
        .systemLibrary(name: "CInotifyTools", providers: [.apt(["libinotifytools0-dev"])]),
        .systemLibrary(name: "CNotify", pkgConfig: "libnotify", providers: [.apt(["libnotify-dev"])]),
        // dlib (HOG detector, 68 landmarks) + OpenCV (profile cascade) behind a small extern "C" API.
        // Debian ships no opencv4.pc for these parts, so the header folder is named directly.
        // Always optimised: unoptimised dlib makes detection ~20× slower; DEBUG would turn on dlib's asserts.
        .target(
            name: "FaceShim",
            cxxSettings: [
                .define("DLIB_DISABLE_ASSERTS"),
                .define("DLIB_NO_GUI_SUPPORT"),
                .unsafeFlags(["-O2", "-isystem", "/usr/include/opencv4"] + faceShimSIMD),
            ],
            linkerSettings: [
                .linkedLibrary("dlib"), .linkedLibrary("blas"), .linkedLibrary("lapack"),
                .linkedLibrary("opencv_objdetect"), .linkedLibrary("opencv_imgproc"), .linkedLibrary("opencv_core"),
            ]
        ),

        // The domain: one folder per pipeline stage.
        .target(
            name: "WinnowCore",
            dependencies: [
                "VipsShim", "JPEGShim", "WebPShim", "CInotifyTools", "FaceShim",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: coreSIMD
        ),
        // Long-running services wired into one ServiceGroup.
        .target(
            name: "WinnowDaemon",
            dependencies: [
                "WinnowCore", "CNotify",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "winnow",
            dependencies: [
                "WinnowCore", "WinnowDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks that print figures (scripts/bench-scan, index lookups); never run by the tests.
        .executableTarget(name: "winnow-bench", dependencies: ["WinnowCore", "VipsShim"]),
        .testTarget(name: "WinnowCoreTests", dependencies: [
            "WinnowCore",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["WinnowCore"], exclude: ["Support/notification_server.py"]),
    ],
    cxxLanguageStandard: .cxx17
)
