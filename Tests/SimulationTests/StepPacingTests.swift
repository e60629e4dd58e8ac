import Testing
import Simulation

@Suite("Pacing the fleet's clock by what its machines have sent")
struct StepPacingTests {
    @Test("A step covers at most a quarter of a queue of samples of the shortest interval")
    func maximumStep() {
        let pacing = StepPacing(queueCapacity: 1000, shortestInterval: 0.5, machines: 10)
        #expect(pacing.samplesPerStep == 250)
        #expect(pacing.maximumStep == 125)
        #expect(StepPacing(queueCapacity: 2, shortestInterval: 1, machines: 1).samplesPerStep == 1, "at least one sample a step")
    }

    @Test("A step starts while each machine has at most a step of samples queued and the fleet no more than the last step made")
    func mayStep() {
        var pacing = StepPacing(queueCapacity: 400, shortestInterval: 1, machines: 10)
        #expect(pacing.allowance == 40)
        #expect(pacing.mayStep(queued: [100, 0, 100]) == false, "before any step, the allowance counts")
        #expect(pacing.mayStep(queued: [20, 0, 20]))
        #expect(!pacing.mayStep(queued: [0, 101]), "one machine over a step's worth holds the fleet")
        pacing.stepped(producing: 150)
        #expect(pacing.mayStep(queued: [50, 100]))
        #expect(!pacing.mayStep(queued: [50, 101]), "more than the last step produced is waiting")
        pacing.stepped(producing: 0)
        #expect(pacing.lastProduced == 150, "a step that made nothing leaves the figure")
        #expect(pacing.mayStep(queued: []))
        pacing.stepped(producing: 10)
        #expect(pacing.mayStep(queued: [40]), "a small step still allows a few messages a machine")
        #expect(!pacing.mayStep(queued: [2, 2], machinesEach: 12), "a sample stands for the machines between")
    }

    @Test("A held clock stands still for the time held, then runs at its speed again")
    func heldClock() {
        let start = ContinuousClock.now
        var clock = VirtualClock(speed: 100, start: start)
        #expect(clock.simulatedSeconds(at: start + .seconds(2)) == 200)
        clock.hold(.seconds(1.5))
        #expect(clock.simulatedSeconds(at: start + .seconds(2)) == 50)
        #expect(clock.simulatedSeconds(at: start + .seconds(3)) == 150)
        clock.hold(.seconds(-1))
        #expect(clock.held == .seconds(1.5), "a negative hold is none")
        #expect(clock.simulatedSeconds(at: start + .seconds(1)) == 0, "never before the start")
    }
}
