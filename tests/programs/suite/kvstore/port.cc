#include "kvstore/port.h"

#include <cassert>
#include <chrono>

namespace kv::port {

void Mutex::Lock() {
  mu_.lock();
  owner_ = std::this_thread::get_id();
}

void Mutex::Unlock() {
  owner_ = std::thread::id();
  mu_.unlock();
}

void Mutex::AssertHeld() const {
  assert(owner_ == std::this_thread::get_id());
}

CondVar::CondVar(Mutex* mu) : mu_(mu) { assert(mu != nullptr); }

void CondVar::Wait() {
  mu_->owner_ = std::thread::id();
  std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
  cv_.wait(lock);
  lock.release();
  mu_->owner_ = std::this_thread::get_id();
}

bool CondVar::WaitFor(int milliseconds) {
  mu_->owner_ = std::thread::id();
  std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
  const std::cv_status status = cv_.wait_for(lock, std::chrono::milliseconds(milliseconds));
  lock.release();
  mu_->owner_ = std::this_thread::get_id();
  return status == std::cv_status::no_timeout;
}

void CondVar::Signal() { cv_.notify_one(); }

void CondVar::SignalAll() { cv_.notify_all(); }

}  // namespace kv::port
